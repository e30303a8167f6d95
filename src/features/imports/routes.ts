import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { errorView, formField, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { formatBytes, tooLargeMessage } from './file-check.ts';
import { aboutFile, columnLetter } from './present.ts';
import * as imports from './service.ts';

type BatchParams = { batchId: string };

interface UploadedFile {
  filename: string;
  mimetype: string;
  toBuffer(): Promise<Buffer>;
}

function uploadedFile(body: unknown): UploadedFile | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>).file;
  const file = Array.isArray(value) ? value[0] : value;
  if (!file || typeof file !== 'object' || typeof (file as UploadedFile).toBuffer !== 'function') return undefined;
  return file as UploadedFile;
}

function importActor(request: FastifyRequest): imports.ImportActor {
  const actor = requireActor(request);
  return { schoolId: actor.schoolId, userId: actor.userId, label: actor.displayName, ip: requestIp(request) };
}

/** The upload script asks for JSON so it can stay on the page; forms without JavaScript get pages. */
function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  uploaded: { text: 'Columns to match', classes: 'govuk-tag--yellow' },
  previewed: { text: 'Ready to confirm', classes: 'govuk-tag--blue' },
  committed: { text: 'Imported', classes: 'govuk-tag--green' },
  discarded: { text: 'Discarded', classes: 'govuk-tag--grey' },
};

export async function importRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const maxSize = formatBytes(ctx.config.importMaxBytes);

  const renderStart = async (request: FastifyRequest, reply: FastifyReply, problem?: { message: string; status: number }) => {
    const batches = await imports.listImports(ctx, importActor(request));
    if (problem) reply.code(problem.status);
    return reply.render('features/imports/views/start.njk', {
      pageTitle: 'Import pupils',
      batches,
      statusTags: STATUS_TAGS,
      maxSize,
      maxBytes: ctx.config.importMaxBytes,
      ...(problem ? errorView([{ field: 'file', message: problem.message }]) : {}),
    });
  };

  const renderStateProblem = (reply: FastifyReply, batchId: string, message: string) => {
    reply.code(409);
    return reply.render('features/imports/views/problem.njk', { pageTitle: 'This import cannot be changed', heading: 'This import cannot be changed', message, batchId });
  };

  app.get('/imports', { config: { permission: 'import.run' } }, async (request, reply) => renderStart(request, reply));

  app.post(
    '/imports',
    {
      config: { permission: 'import.run' },
      // The multipart parser refuses an oversized file before the handler runs: say so plainly.
      errorHandler: async (error: FastifyError, request, reply) => {
        const code = error.code ?? '';
        if (error.statusCode !== 413 && !['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT'].includes(code)) throw error;
        const message =
          code === 'FST_FILES_LIMIT'
            ? 'Choose one file at a time'
            : code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT'
              ? 'The form sent more fields than an upload has: go back to the imports page and choose the file again'
              : tooLargeMessage(ctx.config.importMaxBytes);
        reply.code(413);
        if (wantsJson(request)) return reply.send({ errors: [{ text: message, href: '#file' }] });
        // Shown before the permission check has run: this page names no pupils and lists no imports.
        return reply.render('features/imports/views/problem.njk', { pageTitle: 'The file was not imported', heading: 'The file was not imported', message });
      },
    },
    async (request, reply) => {
      const actor = importActor(request);
      const file = uploadedFile(request.body);
      const refuse = async (message: string, status = 400) => {
        if (wantsJson(request)) return reply.code(status).send({ errors: [{ text: message, href: '#file' }] });
        return renderStart(request, reply, { message, status });
      };
      if (!file || !file.filename) return refuse('Select a CTF, CSV or Excel file to import');
      const bytes = await file.toBuffer();
      let result;
      try {
        result = await imports.previewImport(ctx, actor, { filename: file.filename, bytes });
      } catch (error) {
        if (error instanceof imports.ImportFileError) return refuse(error.message, error.status);
        throw error;
      }
      const location = result.status === 'uploaded' ? `/imports/${result.batchId}/mapping` : `/imports/${result.batchId}`;
      if (wantsJson(request)) return reply.send({ location });
      return reply.redirect(location, 303);
    },
  );

  app.get<{ Params: BatchParams }>('/imports/:batchId', { config: { permission: 'import.run' } }, async (request, reply) => {
    const batch = await imports.getImport(ctx, importActor(request), request.params.batchId);
    if (batch.status === 'uploaded') return reply.redirect(`/imports/${batch.id}/mapping`, 303);
    const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
    return reply.render('features/imports/views/preview.njk', {
      pageTitle: batch.status === 'previewed' ? `Check the import – ${batch.filename}` : `Import – ${batch.filename}`,
      batch: { ...batch, changed: batch.changed.map((entry) => ({ ...entry, changeText: upperFirst(entry.changes.join(', ')) })) },
      aboutRows: aboutFile(batch),
      statusTag: STATUS_TAGS[batch.status],
    });
  });

  const renderMapping = async (request: FastifyRequest, reply: FastifyReply, batchId: string, chosen?: imports.MappingForm['mapping'], errors?: ReturnType<typeof errorView>) => {
    let form: imports.MappingForm;
    try {
      form = await imports.getMappingForm(ctx, importActor(request), batchId);
    } catch (error) {
      if (error instanceof imports.ImportStateError) return renderStateProblem(reply, batchId, error.message);
      throw error;
    }
    const mapping = chosen ?? form.mapping;
    if (errors) reply.code(400);
    return reply.render('features/imports/views/mapping.njk', {
      pageTitle: `Match the columns – ${form.filename}`,
      form,
      selects: groupBy(
        form.fields.map((field) => ({
          field,
          id: `map-${field.key}`,
          items: [
            { value: '', text: 'Not in this file', selected: mapping[field.key] === undefined },
            ...form.headers.map((header, index) => ({ value: String(index), text: `${header} (column ${columnLetter(index)})`, selected: mapping[field.key] === index })),
          ],
        })),
      ),
      columnLetters: form.headers.map((_, index) => columnLetter(index)),
      ...(errors ?? {}),
    });
  };

  app.get<{ Params: BatchParams }>('/imports/:batchId/mapping', { config: { permission: 'import.run' } }, async (request, reply) =>
    renderMapping(request, reply, request.params.batchId),
  );

  app.post<{ Params: BatchParams }>('/imports/:batchId/mapping', { config: { permission: 'import.run' } }, async (request, reply) => {
    const { batchId } = request.params;
    const mapping = imports.mappingFromForm((name) => formField(request.body, name));
    try {
      await imports.applyMapping(ctx, importActor(request), batchId, mapping);
    } catch (error) {
      if (error instanceof ValidationError) return renderMapping(request, reply, batchId, mapping, errorView(error.errors));
      if (error instanceof imports.ImportStateError) return renderStateProblem(reply, batchId, error.message);
      throw error;
    }
    return reply.redirect(`/imports/${batchId}`, 303);
  });

  app.post<{ Params: BatchParams }>('/imports/:batchId/confirm', { config: { permission: 'import.run' } }, async (request, reply) => {
    const { batchId } = request.params;
    try {
      await imports.confirmImport(ctx, importActor(request), batchId);
    } catch (error) {
      if (error instanceof imports.ImportStateError) return renderStateProblem(reply, batchId, error.message);
      throw error;
    }
    // The batch's page now shows the confirmation panel with what was imported.
    return reply.redirect(`/imports/${batchId}`, 303);
  });

  app.post<{ Params: BatchParams }>('/imports/:batchId/discard', { config: { permission: 'import.run' } }, async (request, reply) => {
    const { batchId } = request.params;
    try {
      await imports.discardImport(ctx, importActor(request), batchId);
    } catch (error) {
      if (error instanceof imports.ImportStateError) return renderStateProblem(reply, batchId, error.message);
      throw error;
    }
    setFlash(ctx, request, reply, 'Import discarded: nothing was changed and the file’s contents have been deleted');
    return reply.redirect('/imports', 303);
  });

  app.get<{ Params: BatchParams }>('/imports/:batchId/rejected.csv', { config: { permission: 'import.run' } }, async (request, reply) => {
    const { csv, filename } = await imports.rejectedRowsCsv(ctx, importActor(request), request.params.batchId);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}

const SEN_FIELDS = new Set(['senProvision', 'primaryNeed', 'secondaryNeed', 'senStartDate']);
const FACTOR_FIELDS = new Set(['fsm', 'pupilPremium', 'eal', 'lookedAfter']);

/** The mapping form's three sections: the pupil, SEN status and needs, other factors. */
function groupBy<T extends { field: { key: string } }>(selects: T[]) {
  return {
    pupil: selects.filter((entry) => !SEN_FIELDS.has(entry.field.key) && !FACTOR_FIELDS.has(entry.field.key)),
    sen: selects.filter((entry) => SEN_FIELDS.has(entry.field.key)),
    factors: selects.filter((entry) => FACTOR_FIELDS.has(entry.field.key)),
  };
}
