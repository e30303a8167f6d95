// Email for contribution links (docs/adr/0009-email.md). Sent only when SMTP_URL and MAIL_FROM are
// both set; otherwise the school copies the link or prints the letter. An email names the school and
// the pupil's first name, nothing more: it may be read by anyone with access to the mailbox.
import { createTransport } from 'nodemailer';
import type { AppContext } from '../../platform/context.ts';
import { formatDate } from '../../platform/dates.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

const mailers = new WeakMap<AppContext, Mailer | null>();

/** The mailer for this app, or null when email is not set up. */
export function mailerFor(ctx: AppContext): Mailer | null {
  if (mailers.has(ctx)) return mailers.get(ctx)!;
  const { smtpUrl, mailFrom } = ctx.config;
  let mailer: Mailer | null = null;
  if (smtpUrl && mailFrom) {
    const transport = createTransport(smtpUrl);
    mailer = {
      async send(message) {
        await transport.sendMail({ from: mailFrom, to: message.to, subject: message.subject, text: message.text });
      },
    };
  }
  mailers.set(ctx, mailer);
  return mailer;
}

/** Replaces the mailer (tests, or a deployment that sends mail another way). */
export function useMailer(ctx: AppContext, mailer: Mailer | null): void {
  mailers.set(ctx, mailer);
}

export interface LinkLetter {
  schoolName: string;
  pupilFirstName: string;
  respondent: 'parent' | 'pupil';
  recipientName: string;
  url: string;
  /** The last day the link works, 'YYYY-MM-DD'. */
  lastDay: string;
}

/** The email: the school's name, the pupil's first name, the link and its last day. No other pupil data. */
export function linkEmail(letter: LinkLetter): { subject: string; text: string } {
  const subject = `${letter.schoolName}: share your views about ${letter.pupilFirstName}`;
  const text = [
    `Dear ${letter.recipientName},`,
    '',
    `${letter.schoolName} will soon review the support ${letter.pupilFirstName} gets in school. We would like to know what you think before we meet.`,
    '',
    'Open this link to answer a few short questions:',
    letter.url,
    '',
    `The link works until ${formatDate(letter.lastDay)}. You do not need an account or a password. It works once: when you have sent your answers, it stops working.`,
    '',
    'Please do not forward this email: the link is for you.',
    '',
    `If you have any questions, or the link does not work, contact ${letter.schoolName}.`,
  ].join('\n');
  return { subject, text };
}
