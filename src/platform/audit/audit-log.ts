import { createHash } from 'node:crypto';
import type { AppDatabase, Db, DbOrTransaction, Dialect } from '../../db/database.ts';
import type { AuditEventsTable } from '../../db/schema.ts';

export const SYSTEM_CHAIN = 'system';
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  /** The school whose chain holds the event; SYSTEM_CHAIN for sign-ins and account events. */
  schoolId: string;
  action: string;
  actorUserId?: string | null;
  actorLabel?: string | null;
  pupilId?: string | null;
  detail?: Record<string, unknown> | null;
  ip?: string | null;
  at?: string;
}

export function auditHash(prevHash: string, row: Omit<AuditEventsTable, 'prev_hash' | 'hash'>): string {
  const canonical = JSON.stringify([
    row.school_id,
    row.seq,
    row.at,
    row.actor_user_id,
    row.actor_label,
    row.action,
    row.pupil_id,
    row.detail,
    row.ip,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

async function appendToChain(trx: DbOrTransaction, dialect: Dialect, schoolId: string, events: AuditEvent[]): Promise<void> {
  await trx
    .insertInto('audit_chain_heads')
    .values({ school_id: schoolId, seq: 0, hash: GENESIS_HASH })
    .onConflict((conflict) => conflict.column('school_id').doNothing())
    .execute();
  let headQuery = trx.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('school_id', '=', schoolId);
  // Postgres: concurrent writers queue on the head row. SQLite transactions are already serial.
  if (dialect === 'postgres') headQuery = headQuery.forUpdate();
  const head = await headQuery.executeTakeFirstOrThrow();
  let seq = Number(head.seq);
  let hash = head.hash;
  const rows: AuditEventsTable[] = [];
  for (const event of events) {
    seq += 1;
    const base = {
      school_id: schoolId,
      seq,
      at: event.at ?? new Date().toISOString(),
      actor_user_id: event.actorUserId ?? null,
      actor_label: event.actorLabel ?? null,
      action: event.action,
      pupil_id: event.pupilId ?? null,
      detail: event.detail ? JSON.stringify(event.detail) : null,
      ip: event.ip ?? null,
    };
    const rowHash = auditHash(hash, base);
    rows.push({ ...base, prev_hash: hash, hash: rowHash });
    hash = rowHash;
  }
  // Large batches go in slices to stay under bind-parameter limits.
  for (let start = 0; start < rows.length; start += 500) {
    await trx.insertInto('audit_events').values(rows.slice(start, start + 500)).execute();
  }
  await trx.updateTable('audit_chain_heads').set({ seq, hash }).where('school_id', '=', schoolId).execute();
}

export class AuditLog {
  private readonly database: AppDatabase;
  private pendingReads: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushEveryMs: number;
  private readonly flushAtCount: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    database: AppDatabase,
    options: { flushEveryMs?: number; flushAtCount?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.database = database;
    this.flushEveryMs = options.flushEveryMs ?? 100;
    this.flushAtCount = options.flushAtCount ?? 500;
    this.onError = options.onError ?? ((error) => console.error('audit flush failed', error));
  }

  /** Records events inside the caller's transaction, so the change and its audit stand or fall together. */
  async record(trx: DbOrTransaction, ...events: AuditEvent[]): Promise<void> {
    const bySchool = new Map<string, AuditEvent[]>();
    for (const event of events) {
      const list = bySchool.get(event.schoolId) ?? [];
      list.push(event);
      bySchool.set(event.schoolId, list);
    }
    // Chains are locked in one order everywhere, so two processes flushing the same schools cannot deadlock.
    for (const schoolId of [...bySchool.keys()].sort()) await appendToChain(trx, this.database.dialect, schoolId, bySchool.get(schoolId)!);
  }

  /** Records a write that has no transaction of its own (sign-in, sign-out). */
  async recordNow(...events: AuditEvent[]): Promise<void> {
    await this.database.db.transaction().execute((trx) => this.record(trx, ...events));
  }

  /** Queues a read; reads are committed in groups so a page view never waits on a disk sync. */
  recordRead(event: AuditEvent): void {
    this.pendingReads.push({ ...event, at: event.at ?? new Date().toISOString() });
    if (this.pendingReads.length >= this.flushAtCount) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushEveryMs);
      this.timer.unref();
    }
  }

  /** Writes every queued read. Safe to call at any time; calls queue behind one another. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing = this.flushing.then(async () => {
      if (this.pendingReads.length === 0) return;
      const batch = this.pendingReads;
      this.pendingReads = [];
      try {
        await this.database.db.transaction().execute((trx) => this.record(trx, ...batch));
      } catch (error) {
        // Keep the events for the next attempt rather than lose an access record.
        this.pendingReads = batch.concat(this.pendingReads);
        this.onError(error);
      }
    });
    return this.flushing;
  }
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  chains: number;
  firstBroken?: { schoolId: string; seq: number; reason: string };
}

/** Walks every chain from its start, recomputing each hash; names the first link that does not hold. */
export async function verifyAuditChains(db: Db, pageSize = 2000): Promise<ChainVerification> {
  const heads = await db.selectFrom('audit_chain_heads').select(['school_id', 'seq', 'hash']).orderBy('school_id').execute();
  let checked = 0;
  for (const head of heads) {
    let expectedPrev = GENESIS_HASH;
    let expectedSeq = 1;
    for (;;) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('school_id', '=', head.school_id)
        .where('seq', '>=', expectedSeq)
        // Only up to the head read at the start: events written while verifying are not "extra".
        .where('seq', '<=', Number(head.seq))
        .orderBy('seq')
        .limit(pageSize)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const seq = Number(row.seq);
        const broken = (reason: string, at = seq): ChainVerification => ({
          ok: false,
          checked,
          chains: heads.length,
          firstBroken: { schoolId: row.school_id, seq: at, reason },
        });
        if (seq !== expectedSeq) return broken(`event ${expectedSeq} is missing`, expectedSeq);
        if (row.prev_hash !== expectedPrev) return broken('its previous-hash does not match the event before it');
        const recomputed = auditHash(row.prev_hash, { ...row, seq });
        if (recomputed !== row.hash) return broken('its contents were changed after it was written');
        expectedPrev = row.hash;
        expectedSeq += 1;
        checked += 1;
      }
    }
    if (expectedSeq - 1 !== Number(head.seq) || expectedPrev !== head.hash) {
      return {
        ok: false,
        checked,
        chains: heads.length,
        firstBroken: { schoolId: head.school_id, seq: expectedSeq, reason: 'events at the end of the chain were removed' },
      };
    }
  }
  return { ok: true, checked, chains: heads.length };
}

/**
 * Builds audit events for one person's request: `auditAs(actor, ip)('plan.started', { cycleId }, pupilId)`.
 * Every feature's service writes its events through this, so they all name their actor the same way.
 */
export function auditAs(actor: { userId: string; schoolId: string; displayName: string }, ip: string | null) {
  return (action: string, detail: Record<string, unknown>, pupilId?: string) => ({ schoolId: actor.schoolId, action, actorUserId: actor.userId, actorLabel: actor.displayName, detail, ip, ...(pupilId ? { pupilId } : {}) });
}
