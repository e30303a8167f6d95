// Progressive enhancement for the import form: uploads with a progress bar and a spoken status, then
// opens the preview. Without JavaScript the form posts as usual and the server redirects to the preview.
const form = document.getElementById('import-upload-form');

function setup() {
  if (!form || !('FormData' in window) || !('XMLHttpRequest' in window)) return;
  const input = form.querySelector('input[type="file"]');
  const group = input && input.closest('.govuk-form-group');
  const progressBlock = document.getElementById('upload-progress');
  const bar = document.getElementById('upload-progress-bar');
  const status = document.getElementById('upload-status');
  const button = document.getElementById('upload-button');
  if (!input || !group || !progressBlock || !bar || !status || !button) return;
  const maxBytes = Number(form.dataset.maxBytes) || 0;
  const maxSize = form.dataset.maxSize || '';
  const title = document.title.replace(/^Error: /, '');
  let busy = false;

  function clearErrors() {
    document.querySelectorAll('.govuk-error-summary').forEach((summary) => summary.remove());
    group.classList.remove('govuk-form-group--error');
    group.querySelectorAll('.govuk-error-message').forEach((message) => message.remove());
    input.classList.remove('govuk-file-upload--error');
    const describedBy = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== 'file-error');
    if (describedBy.length) input.setAttribute('aria-describedby', describedBy.join(' '));
    else input.removeAttribute('aria-describedby');
    document.title = title;
  }

  // The GOV.UK error summary and the message by the field, built from text so nothing is parsed as HTML.
  function showErrors(messages) {
    clearErrors();
    const summary = document.createElement('div');
    summary.className = 'govuk-error-summary';
    summary.setAttribute('tabindex', '-1');
    const alert = document.createElement('div');
    alert.setAttribute('role', 'alert');
    const heading = document.createElement('h2');
    heading.className = 'govuk-error-summary__title';
    heading.textContent = 'There is a problem';
    const body = document.createElement('div');
    body.className = 'govuk-error-summary__body';
    const list = document.createElement('ul');
    list.className = 'govuk-list govuk-error-summary__list';
    for (const message of messages) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = '#file';
      link.textContent = message;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        input.focus();
      });
      item.append(link);
      list.append(item);
    }
    body.append(list);
    alert.append(heading, body);
    summary.append(alert);
    const main = document.getElementById('main-content') || document.body;
    main.prepend(summary);

    const inline = document.createElement('p');
    inline.className = 'govuk-error-message';
    inline.id = 'file-error';
    const hidden = document.createElement('span');
    hidden.className = 'govuk-visually-hidden';
    hidden.textContent = 'Error: ';
    inline.append(hidden, messages[0]);
    group.classList.add('govuk-form-group--error');
    input.classList.add('govuk-file-upload--error');
    input.before(inline);
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), 'file-error'].filter(Boolean).join(' '));
    document.title = `Error: ${title}`;
    summary.focus();
  }

  function finish() {
    busy = false;
    button.disabled = false;
    button.removeAttribute('aria-disabled');
    progressBlock.hidden = true;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    const file = input.files && input.files[0];
    if (!file) {
      showErrors(['Select a CTF, CSV or Excel file to import']);
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      showErrors([`The selected file is larger than ${maxSize}, the largest file this server accepts. Split the file, or ask your IT team to raise IMPORT_MAX_BYTES`]);
      return;
    }
    clearErrors();
    busy = true;
    button.disabled = true;
    button.setAttribute('aria-disabled', 'true');
    progressBlock.hidden = false;
    bar.value = 0;
    bar.textContent = '0%';
    status.textContent = `Uploading ${file.name}`;
    let announced = 0;

    const request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      bar.textContent = `${percent}%`;
      // Speak every quarter, not every event: a screen reader would otherwise talk over itself.
      if (percent >= announced + 25) {
        announced = percent - (percent % 25);
        status.textContent = `Uploaded ${percent}%`;
      }
    });
    request.upload.addEventListener('load', () => {
      bar.removeAttribute('value'); // indeterminate while the server checks the file
      bar.textContent = '';
      status.textContent = 'Upload complete. Checking the file…';
    });
    request.addEventListener('load', () => {
      let body;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status >= 200 && request.status < 300 && body && typeof body.location === 'string' && body.location.startsWith('/imports/')) {
        status.textContent = 'File checked. Opening the preview…';
        window.location.assign(body.location);
        return;
      }
      finish();
      const messages = body && Array.isArray(body.errors) ? body.errors.map((error) => String(error.text)) : [];
      showErrors(messages.length ? messages : ['The file could not be uploaded. Refresh the page and try again']);
    });
    request.addEventListener('error', () => {
      finish();
      showErrors(['The upload did not finish: check your connection and try again']);
    });
    request.addEventListener('abort', () => finish());
    request.send(new FormData(form));
  });
}

setup();
