// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/govuk-frontend.min.js';
import { initAll as initMoj } from '/assets/moj-frontend.min.js';

initAll();
initMoj();

// Print buttons: hidden without JavaScript (the browser's own Print does the same), shown and working with it.
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
