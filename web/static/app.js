// app.js — the dashboard's own script, loaded after htmx and its SSE extension. It does only what
// htmx cannot: uploads a backup set file by file with progress (a raw PUT per file to the REST
// upload), sends the browser to the sign-in page when the session has ended, shows an error the
// server answered with a problem document as a sentence (never as raw JSON), and leaves the page
// after signing out. The pages themselves are rendered by the server.
(function () {
  'use strict';

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : '';
  }

  function showNotice(text) {
    const box = document.getElementById('notice');
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  // "Title: detail (JET_errName, -123)" from a problem document, or the status line.
  function problemText(xhr) {
    try {
      const doc = JSON.parse(xhr.responseText);
      let text = doc.title || ('HTTP ' + xhr.status);
      if (doc.detail) text += ': ' + doc.detail;
      if (doc.name) text += ' (' + doc.name + ', ' + doc.code + ')';
      return text;
    } catch (e) {
      return 'The appliance answered ' + xhr.status + ' ' + (xhr.statusText || '');
    }
  }

  document.addEventListener('htmx:responseError', function (evt) {
    const xhr = evt.detail.xhr;
    if (xhr.status === 401) {
      window.location.assign('/login');
      return;
    }
    showNotice(problemText(xhr));
  });

  document.addEventListener('htmx:sendError', function () {
    showNotice('The appliance did not answer. Is hotcopyd running?');
  });

  document.addEventListener('htmx:afterRequest', function (evt) {
    const elt = evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute('data-signout') && evt.detail.successful) {
      window.location.assign('/login');
    }
  });

  // ---- event streams: closed before the page goes, so leaving a live page is not an error ------

  if (window.htmx && window.htmx.createEventSource) {
    const streams = new Set();
    const create = window.htmx.createEventSource;
    window.htmx.createEventSource = function (url) {
      const source = create(url);
      streams.add(source);
      return source;
    };
    window.addEventListener('pagehide', function () {
      streams.forEach(function (source) { source.close(); });
      streams.clear();
    });
  }

  // ---- uploads: one PUT per file, in turn, each with its own progress bar ----------------------

  function uploadOne(base, file, item) {
    return new Promise(function (resolve) {
      const bar = item.querySelector('progress');
      const state = item.querySelector('.state');
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', base + encodeURIComponent(file.name));
      xhr.setRequestHeader('X-CSRF-Token', csrfToken());
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) {
          bar.max = e.total;
          bar.value = e.loaded;
        }
      });
      xhr.addEventListener('load', function () {
        if (xhr.status === 200) {
          bar.value = bar.max;
          state.textContent = 'uploaded';
          resolve(true);
        } else {
          if (xhr.status === 401) window.location.assign('/login');
          state.textContent = 'failed: ' + problemText(xhr);
          item.classList.add('bad');
          resolve(false);
        }
      });
      xhr.addEventListener('error', function () {
        state.textContent = 'failed: the connection broke';
        item.classList.add('bad');
        resolve(false);
      });
      xhr.send(file);
    });
  }

  document.addEventListener('submit', async function (evt) {
    const form = evt.target;
    if (!form.matches('form[data-upload]')) return;
    evt.preventDefault();
    const input = form.querySelector('input[type="file"]');
    const list = form.querySelector('.uploads');
    const button = form.querySelector('button');
    const files = Array.from(input.files || []);
    if (files.length === 0) return;
    button.disabled = true;
    list.textContent = '';
    const items = files.map(function (file) {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'file';
      name.textContent = file.name;
      const bar = document.createElement('progress');
      bar.max = file.size || 1;
      bar.value = 0;
      bar.setAttribute('aria-label', file.name + ': bytes uploaded');
      const state = document.createElement('span');
      state.className = 'state';
      state.textContent = 'waiting';
      li.append(name, ' ', bar, ' ', state);
      list.append(li);
      return li;
    });
    for (let i = 0; i < files.length; i++) {
      items[i].querySelector('.state').textContent = 'uploading';
      await uploadOne(form.dataset.upload, files[i], items[i]);
    }
    button.disabled = false;
    if (window.htmx) window.htmx.trigger(document.body, 'restore-uploaded');
  });
})();
