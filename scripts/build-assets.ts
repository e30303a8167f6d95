// Compiles the stylesheet and gathers front-end files into public/build (run by npm install, start and test).
import fs from 'node:fs';
import path from 'node:path';
import * as sass from 'sass';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'public/build');
fs.mkdirSync(out, { recursive: true });

const result = sass.compile(path.join(root, 'src/platform/assets/app.scss'), {
  loadPaths: [root, path.join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
  // GOV.UK and MOJ warn each other about deprecations we cannot change; keep our own warnings.
  logger: {
    warn(message, options) {
      if (!options.stack?.split('\n')[0]?.includes('node_modules')) console.warn(`sass: ${message}`);
    },
  },
  silenceDeprecations: ['import', 'global-builtin'] as never,
});
fs.writeFileSync(path.join(out, 'app.css'), result.css);

const copies: Array<[string, string]> = [
  ['node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js', 'govuk-frontend.min.js'],
  ['node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js', 'moj-frontend.min.js'],
  ['src/platform/assets/app.js', 'app.js'],
  ['src/features/imports/assets/import-upload.js', 'import-upload.js'],
];
for (const [from, to] of copies) fs.copyFileSync(path.join(root, from), path.join(out, to));
// MOJ component icons, where the stylesheet looks for them. GOV.UK's images (the crown and crest)
// belong to GOV.UK and are not shipped; our favicon is our own.
fs.rmSync(path.join(out, 'govuk'), { recursive: true, force: true });
fs.rmSync(path.join(out, 'moj'), { recursive: true, force: true });
fs.cpSync(path.join(root, 'node_modules/@ministryofjustice/frontend/moj/assets/images'), path.join(out, 'images'), {
  recursive: true,
  filter: (source) => !/crown|crest/i.test(path.basename(source)),
});
fs.copyFileSync(path.join(root, 'src/platform/assets/favicon.svg'), path.join(out, 'favicon.svg'));
console.log(`assets built in ${path.relative(root, out)} (app.css ${Math.round(result.css.length / 1024)} KiB)`);
