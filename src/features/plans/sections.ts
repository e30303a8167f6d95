// The Plans section's own navigation, shared by the features whose pages live in it: plans and
// reviews, concerns, contributions, parents' meetings and templates.
import type { FastifyRequest } from 'fastify';
import { roleMay, type Action } from '../../platform/permissions.ts';
import { requireActor } from '../../platform/web.ts';

const SECTIONS: ReadonlyArray<{ href: string; text: string; action: Action }> = [
  { href: '/plans', text: 'Reviews', action: 'plans.overview' },
  { href: '/concerns', text: 'Concerns', action: 'concern.triage' },
  { href: '/plans/contributions', text: 'Contributions', action: 'contribution.request' },
  { href: '/plans/parent-meetings', text: 'Meetings with parents', action: 'plans.overview' },
  { href: '/plans/templates', text: 'Templates', action: 'templates.manage' },
];

export function plansSubNavigation(request: FastifyRequest) {
  const actor = requireActor(request);
  const path = request.url.split('?')[0] ?? '';
  const current = SECTIONS.filter((section) => path === section.href || path.startsWith(`${section.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
  return SECTIONS.filter((section) => roleMay(actor.role, section.action)).map((section) => ({ href: section.href, text: section.text, active: section.href === current?.href }));
}
