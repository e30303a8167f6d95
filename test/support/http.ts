// A small browser stand-in over app.inject: keeps cookies, signs in, and sends the form's CSRF token.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { FIXTURE_PASSWORD } from './fixtures.ts';

export class TestClient {
  private readonly app: FastifyInstance;
  private readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = cookie.value === '' || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match) this.csrfToken = match[1];
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.keep(response);
    return response;
  }

  async post(url: string, fields: Record<string, string | string[]> = {}, options: { csrf?: string | false } = {}): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const entry of [value].flat()) form.append(name, entry);
    const token = options.csrf === false ? undefined : (options.csrf ?? this.csrfToken);
    if (token) form.set('_csrf', token);
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: form.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.keep(response);
    return response;
  }

  /** A multipart form with one file, built as a browser builds it: the CSRF field first, then the fields, then the file. */
  async upload(
    url: string,
    file: { field?: string; filename: string; bytes: Uint8Array; type?: string },
    fields: Record<string, string> = {},
    options: { csrf?: string | false } = {},
  ): Promise<LightMyRequestResponse> {
    const form = new FormData();
    const token = options.csrf === false ? undefined : (options.csrf ?? this.csrfToken);
    if (token) form.append('_csrf', token);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append(file.field ?? 'file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'text/csv' }), file.filename);
    const request = new Request(`http://localhost${url}`, { method: 'POST', body: form });
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: Buffer.from(await request.arrayBuffer()),
      headers: { cookie: this.cookieHeader(), 'content-type': request.headers.get('content-type')! },
    });
    this.keep(response);
    return response;
  }

  async signIn(email: string, password = FIXTURE_PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/sign-in');
    const response = await this.post('/sign-in', { email, password });
    if (response.statusCode !== 302) throw new Error(`sign-in as ${email} failed with ${response.statusCode}`);
    // Pick up the session's own CSRF token from a page.
    await this.get(response.headers.location as string);
    return response;
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }
}

/**
 * One signed-in client per role of a fixture school, made on first use:
 * `const as = signedInAs(() => built.app, () => fixture.schoolA); const teacher = await as('teacher');`
 */
export function signedInAs(app: () => FastifyInstance, school: () => { users: Record<string, { email: string }> }) {
  const clients = new Map<string, TestClient>();
  return async (role: string): Promise<TestClient> => {
    let client = clients.get(role);
    if (!client) {
      client = new TestClient(app());
      await client.signIn(school().users[role]!.email);
      clients.set(role, client);
    }
    return client;
  };
}
