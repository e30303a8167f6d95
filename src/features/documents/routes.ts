// A pupil's Documents tab: the list (confidential documents only for those who may open them),
// uploading, downloading and removing. Routes stay thin: read the request, call the service, render,
// redirect or send the file.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { schoolToday } from '../../platform/dates.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { authorisePupil, dateParts, errorView, formField, readDateInput, requestIp, setFlash } from '../../platform/web.ts';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES, MAX_DOCUMENT_BYTES, attachmentDisposition, type DocumentDetailsInput } from './rules.ts';
import { formatBytes } from '../imports/file-check.ts';
import * as documents from './service.ts';
import { multipartErrorHandler, multipartOptions, uploadedFiles } from './uploads.ts';

type PupilParams = { pupilId: string };
type DocumentParams = { pupilId: string; documentId: string };

const pupilName = (pupil: { legal_forename: string; legal_surname: string }) => `${pupil.legal_forename} ${pupil.legal_surname}`;

export async function documentsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  (ctx.chronologySources ??= []).push((actor, pupilId) => documents.documentChronology(ctx, actor, pupilId));

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/documents', { config: { permission: 'document.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'document.view', request.params.pupilId);
    const record = await documents.getPupilDocuments(ctx, actor, request.params.pupilId, requestIp(request));
    return reply.render('features/documents/views/documents.njk', { pageTitle: `Documents – ${pupilName(record.pupil)}`, tab: 'documents', ...record });
  });

  const renderUpload = async (request: FastifyRequest<{ Params: PupilParams }>, reply: FastifyReply, values: DocumentDetailsInput, date: { day: string; month: string; year: string }, errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'document.upload', request.params.pupilId);
    const record = await documents.getUploadForm(ctx, actor, request.params.pupilId, requestIp(request));
    reply.code(errors.length ? 400 : 200);
    const view = errorView(errors.map((error) => (error.field === 'documentDate' ? { ...error, field: 'documentDate-day' } : error)));
    if (view.fieldErrors['documentDate-day']) view.fieldErrors.documentDate = view.fieldErrors['documentDate-day'];
    return reply.render('features/documents/views/upload.njk', {
      pageTitle: `Upload a document – ${pupilName(record.pupil)}`,
      tab: 'documents',
      ...record,
      values,
      date,
      maxSize: formatBytes(MAX_DOCUMENT_BYTES),
      categoryItems: DOCUMENT_CATEGORIES.map((category) => ({ value: category, text: CATEGORY_LABELS[category], checked: values.category === category })),
      ...view,
    });
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/documents/new', { config: { permission: 'document.upload' } }, async (request, reply) =>
    renderUpload(request, reply, { title: '', category: '', documentDate: '', confidential: false }, dateParts(schoolToday())),
  );

  app.post<{ Params: PupilParams }>(
    '/pupils/:pupilId/documents/new',
    { config: { permission: 'document.upload', multipartOptions: multipartOptions(1) }, errorHandler: multipartErrorHandler('Upload one file at a time') },
    async (request, reply) => {
      const pupilId = request.params.pupilId;
      const actor = authorisePupil(request, 'document.upload', pupilId);
      const body = request.body;
      const values: DocumentDetailsInput = {
        title: formField(body, 'title') ?? '',
        category: formField(body, 'category') ?? '',
        documentDate: readDateInput(body, 'documentDate'),
        confidential: formField(body, 'confidential') === 'yes',
      };
      const date = { day: formField(body, 'documentDate-day') ?? '', month: formField(body, 'documentDate-month') ?? '', year: formField(body, 'documentDate-year') ?? '' };
      const [file] = await uploadedFiles(body, 'file');
      try {
        await documents.uploadDocument(ctx, actor, pupilId, values, file, requestIp(request));
      } catch (error) {
        if (error instanceof ValidationError) return renderUpload(request, reply, values, date, error.errors);
        throw error;
      }
      setFlash(ctx, request, reply, `${values.title.trim()} uploaded${values.confidential ? ': only the SENCO and SEN administrator can open it' : ''}`);
      return reply.redirect(`/pupils/${encodeURIComponent(pupilId)}/documents`, 303);
    },
  );

  app.get<{ Params: DocumentParams }>('/pupils/:pupilId/documents/:documentId', { config: { permission: 'document.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'document.view', request.params.pupilId);
    const file = await documents.downloadDocument(ctx, actor, request.params.pupilId, request.params.documentId, requestIp(request));
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', attachmentDisposition(file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(file.body);
  });

  app.get<{ Params: DocumentParams }>('/pupils/:pupilId/documents/:documentId/remove', { config: { permission: 'document.upload' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'document.upload', request.params.pupilId);
    const record = await documents.getRemoval(ctx, actor, request.params.pupilId, request.params.documentId, requestIp(request));
    return reply.render('features/documents/views/remove.njk', { pageTitle: `Remove ${record.document.title} – ${pupilName(record.pupil)}`, tab: 'documents', ...record });
  });

  app.post<{ Params: DocumentParams }>('/pupils/:pupilId/documents/:documentId/remove', { config: { permission: 'document.upload' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'document.upload', request.params.pupilId);
    const removed = await documents.removeDocument(ctx, actor, request.params.pupilId, request.params.documentId, requestIp(request));
    setFlash(ctx, request, reply, `${removed.title} removed: the audit log keeps a record of it`);
    return reply.redirect(`/pupils/${encodeURIComponent(request.params.pupilId)}/documents`, 303);
  });
}
