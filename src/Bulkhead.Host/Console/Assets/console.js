// The console's only script: streams a chat reply into the page. Pages are rendered on the server;
// this intercepts the chat form, posts the message to /console/chat/{id} with the page's antiforgery
// token in a header, and appends the server-sent events as they arrive. The session cookie is HttpOnly:
// nothing here can read it, and nothing here stores anything.

const decoder = new TextDecoder();

function append(list, role, text) {
  const item = document.createElement('li');
  item.className = `message ${role}`;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = role === 'user' ? 'You' : 'Assistant';
  const body = document.createElement('p');
  body.textContent = text;
  item.append(who, body);
  list.append(item);
  return item;
}

function notice(text) {
  const el = document.getElementById('chat-notice');
  if (el) el.textContent = text;
}

async function problemText(response) {
  let detail = '';
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || '';
  } catch { /* not a problem document */ }
  if (response.status === 429) {
    const retry = response.headers.get('Retry-After');
    return `Limit reached: ${detail || 'too many requests.'}${retry ? ` Try again in ${retry} s.` : ''}`;
  }
  if (response.status === 401) return 'Your session has ended. Sign in again.';
  return detail || `The server answered ${response.status}.`;
}

function events(buffer, onEvent) {
  let cut;
  while ((cut = buffer.indexOf('\n\n')) >= 0) {
    const block = buffer.slice(0, cut);
    buffer = buffer.slice(cut + 2);
    let name = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length) onEvent(name, JSON.parse(data.join('\n')));
  }
  return buffer;
}

async function send(form) {
  const box = form.querySelector('textarea[name="content"]');
  const token = form.querySelector('input[name="__RequestVerificationToken"]')?.value ?? '';
  const sendButton = form.querySelector('button[type="submit"]');
  const stop = form.querySelector('[data-stop]');
  const list = document.getElementById('transcript');
  const content = box.value;
  if (!content.trim() || !list) return;

  notice('');
  const controller = new AbortController();
  stop.hidden = false;
  stop.onclick = () => controller.abort();
  sendButton.disabled = true;
  append(list, 'user', content);
  const reply = append(list, 'assistant', '');
  reply.setAttribute('aria-busy', 'true');
  const text = reply.querySelector('p');
  box.value = '';
  try {
    const response = await fetch(form.dataset.chat, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'RequestVerificationToken': token, 'Accept': 'text/event-stream' },
      body: JSON.stringify({ content }),
      credentials: 'same-origin',
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      reply.remove();
      notice(await problemText(response));
      return;
    }
    const reader = response.body.getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer = events(buffer + decoder.decode(value, { stream: true }), (name, data) => {
        if (name === 'delta') {
          text.textContent += data.content;
          reply.dataset.deltas = String(Number(reply.dataset.deltas ?? 0) + 1);
        }
        else if (name === 'error') notice(data.detail || 'The model failed.');
        else if (name === 'usage') {
          const usage = document.createElement('p');
          usage.className = 'usage';
          const u = data.usage;
          usage.textContent = `Tokens: ${u.prompt_tokens} prompt + ${u.completion_tokens} completion = ${u.total_tokens}`;
          reply.append(usage);
        }
      });
    }
  } catch (e) {
    if (e.name === 'AbortError') notice('Stopped. What the model wrote so far is kept.');
    else notice('The connection to the server was lost.');
  } finally {
    reply.removeAttribute('aria-busy');
    stop.hidden = true;
    sendButton.disabled = false;
    box.focus();
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.chat) {
    event.preventDefault();
    send(form);
  }
});

// Confirmations typed into a form: the submit button stays disabled until the field matches.
document.addEventListener('input', (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.dataset.confirm !== undefined) {
    const button = input.form?.querySelector('button[type="submit"]');
    if (button) button.disabled = input.value !== input.dataset.confirm;
  }
});
