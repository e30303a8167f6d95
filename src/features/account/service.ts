// "Your account": who you are, where you have a role, and your personal API tokens. The tokens
// themselves (hashing, audit) belong to the auth service; this module only reads and presents them.
import type { AppContext } from '../../platform/context.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { createApiToken, listApiTokens, listMemberships, revokeApiToken } from '../../platform/auth/service.ts';

export type TokenStatus = 'active' | 'revoked' | 'expired';

export const EXPIRY_CHOICES = [
  { value: '30', text: '30 days', days: 30 },
  { value: '90', text: '90 days', days: 90 },
  { value: '365', text: '1 year (365 days)', days: 365 },
  { value: 'never', text: 'No expiry', days: null },
] as const;

export interface TokenRow {
  id: string;
  name: string;
  schoolName: string;
  tokenHint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: TokenStatus;
}

export function tokenStatus(token: { revokedAt: string | null; expiresAt: string | null }, now: Date = new Date()): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now.toISOString()) return 'expired';
  return 'active';
}

export async function listTokens(ctx: AppContext, userId: string, now: Date = new Date()): Promise<TokenRow[]> {
  const rows = await listApiTokens(ctx, userId);
  return rows.map((row) => ({ ...row, status: tokenStatus(row, now) }));
}

export async function findToken(ctx: AppContext, userId: string, tokenId: string): Promise<TokenRow | undefined> {
  return (await listTokens(ctx, userId)).find((token) => token.id === tokenId);
}

export async function getAccount(ctx: AppContext, userId: string) {
  const [memberships, tokens] = await Promise.all([listMemberships(ctx, userId), listTokens(ctx, userId)]);
  return { memberships, tokens };
}

export interface NewTokenForm {
  name: string;
  expiresInDays: string;
}

/** Checks the form, then asks the auth service for a token acting as the person in their current school. */
export async function createToken(ctx: AppContext, actor: Actor, form: NewTokenForm): Promise<{ id: string; token: string; expiresInDays: number | null }> {
  const choice = EXPIRY_CHOICES.find((entry) => entry.value === form.expiresInDays);
  const problems: FieldError[] = [];
  if (!form.name.trim()) problems.push({ field: 'name', message: 'Enter a name for the token, for example the program that will use it' });
  else if (form.name.trim().length > 100) problems.push({ field: 'name', message: 'Token name must be 100 characters or fewer' });
  if (!choice) problems.push({ field: 'expiresInDays', message: 'Choose when the token expires' });
  if (problems.length || !choice) throw new ValidationError(problems);
  const created = await createApiToken(ctx, actor, { name: form.name, expiresInDays: choice.days });
  return { ...created, expiresInDays: choice.days };
}

export function revokeToken(ctx: AppContext, actor: Actor, tokenId: string): Promise<boolean> {
  return revokeApiToken(ctx, actor, tokenId);
}
