let checkedUrl = null;
let lastLines = null;
let lastPairs = null;
export function fetch_into(url, headers, body, credentials, abort, settle, id) {
  if (url !== checkedUrl) {
    try {
      new URL(url, globalThis.location?.href);
    } catch (e) {
      settle(id, 4, e);
      return;
    }
    checkedUrl = url;
  }
  if (headers !== lastLines) {
    const kv = headers.split('\n');
    lastPairs = [];
    for (let i = 0; i + 1 < kv.length; i += 2) lastPairs.push([kv[i], kv[i + 1]]);
    lastLines = headers;
  }
  const init = { method: 'POST', mode: 'cors', headers: lastPairs, body, signal: abort.c.signal };
  if (credentials) init.credentials = credentials;
  let sent;
  try {
    sent = fetch(url, init);
  } catch (e) {
    settle(id, 3, e);
    return;
  }
  Promise.resolve(sent).then(
    (r) => r instanceof Response ? settle(id, 1, r)
      : settle(id, 3, new TypeError('fetch resolved to ' + Object.prototype.toString.call(r) + ', not a Response')),
    (e) => settle(id, 3, e),
  );
}
export function header_lines(response) {
  let lines = '';
  for (const [name, value] of response.headers) lines += name + '\n' + value + '\n';
  return lines;
}
const pool = [];
let pooled = 0;
export function open_body(stream) {
  try {
    const reader = stream.getReader({ mode: 'byob' });
    let buf = pool.pop();
    if (buf) pooled -= buf.byteLength;
    else buf = new ArrayBuffer(2048);
    return { reader, buf };
  } catch (_) {
    return { reader: stream.getReader(), buf: null };
  }
}
export function read_chunk(body, settle, id) {
  try {
    const buf = body.buf;
    const read = buf ? body.reader.read(new Uint8Array(buf)) : body.reader.read();
    body.buf = null;
    read.then(
      (r) => {
        const v = r.value;
        if (buf && v) {
          const full = v.length === v.buffer.byteLength;
          body.buf = full && v.length < 262144 ? new ArrayBuffer(v.length * 2) : v.buffer;
        }
        settle(id, r.done ? 0 : v instanceof Uint8Array ? 1 : 2, v);
      },
      (e) => settle(id, 3, e),
    );
  } catch (e) {
    settle(id, 3, e);
  }
}
export function close_body(body, cancel) {
  if (cancel) body.reader.cancel().catch(() => {});
  const buf = body.buf;
  if (buf && pool.length < 32 && pooled + buf.byteLength <= 1048576) {
    pool.push(buf);
    pooled += buf.byteLength;
  }
  body.buf = null;
}
export function abort_new(ms, settle, id) {
  let fired = false;
  const a = { c: new AbortController(), t: 0, l: [] };
  a.fire = (why) => {
    if (!fired) {
      fired = true;
      settle(id, why);
      a.c.abort();
    }
  };
  if (ms >= 0) a.t = setTimeout(a.fire, ms, 1);
  return a;
}
export function abort_follow(a, signal) {
  if (signal.aborted) return true;
  const fire = () => a.fire(2);
  signal.addEventListener('abort', fire);
  a.l.push(() => signal.removeEventListener('abort', fire));
  return false;
}
export function abort_end(a, abort) {
  clearTimeout(a.t);
  for (const off of a.l) off();
  a.l = [];
  if (abort) a.c.abort();
}
