/**
 * kyso.js: the client of the Kyso signing agent (`kyso agent run`), a VGCA-compatible local signing service.
 *
 * Load it as an ES module; it needs no build step:
 *
 *     <script type="module" src="https://127.0.0.1:8987/kyso.js"></script>     (served by the agent)
 *     <script type="module" src="kyso.js"></script>                              (a copy shipped with the page)
 *
 * Two APIs over the same calls:
 *
 * - the global functions of vgcaplugin.js, so pages written for the VGCA Sign Service work unchanged:
 *   vgca_sign_approved(json, callback), vgca_sign_issued, vgca_sign_income, vgca_sign_copy, vgca_sign_appendix,
 *   vgca_sign_pdf, vgca_verify_pdf, vgca_sign_xml, vgca_verify_xml, vgca_get_cert_info, vgca_config.
 *   `json` is the JSON text of the parameters ({FileUploadHandler, SessionId, JWTToken, FileName, DocNumber,
 *   IssuedDate, MetaData}); `callback` receives the reply as JSON text, as with VGCA.
 * - a Promise API: `import kyso from ".../kyso.js"; const reply = await kyso.signApproved({FileName, ...})`
 *   (the reply as an object; Status 0 is success, docs/agent.md has the table of the other codes).
 *
 * Each call opens one WebSocket to <agent>/<Endpoint>, sends one JSON message, takes the first reply and closes.
 * The agent's address: `kyso.configure({url})`, else the loopback address this file was loaded from, else the
 * `kyso-agent` query parameter of the page (loopback addresses only), else wss://127.0.0.1:8987.
 */

const DEFAULT_URL = "wss://127.0.0.1:8987";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Kyso's status codes (the agent's kyso.agent.protocol.Status). */
export const Status = Object.freeze({
  OK: 0, BAD_REQUEST: 1, UNSUPPORTED_ENDPOINT: 2, REFUSED_ORIGIN: 3, REFUSED_URL: 4, CONSENT_DENIED: 5,
  WRONG_PIN: 6, SIGNER_ERROR: 7, DOWNLOAD_FAILED: 8, TOO_LARGE: 9, INPUT_ERROR: 10, UPLOAD_FAILED: 11, BUSY: 12,
  INTERNAL_ERROR: 13,
  /** No agent answered (not running, certificate not trusted): a code of this client, not of the agent. */
  NO_AGENT: 100,
});

function loopbackSocketUrl(text) {
  try {
    const url = new URL(text);
    if (!LOOPBACK.has(url.hostname)) return null;
    const scheme = { "https:": "wss:", "wss:": "wss:", "http:": "ws:", "ws:": "ws:" }[url.protocol];
    return scheme ? `${scheme}//${url.host}` : null;
  } catch (error) {
    return null;
  }
}

function defaultUrl() {
  const own = new URL(import.meta.url);
  if (own.origin !== globalThis.location?.origin) {
    const fromScript = loopbackSocketUrl(own.href);
    if (fromScript) return fromScript;
  }
  const fromPage = new URLSearchParams(globalThis.location?.search || "").get("kyso-agent");
  return (fromPage && loopbackSocketUrl(fromPage)) || DEFAULT_URL;
}

let settings = { url: null, timeout: 300000 };

/** Set the agent's address (`ws://127.0.0.1:PORT` or `wss://...`, loopback only) and the reply timeout (ms). */
export function configure({ url, timeout } = {}) {
  if (url !== undefined) {
    const checked = loopbackSocketUrl(url);
    if (!checked) throw new Error(`kyso.js: the agent is on this machine, not at ${url}`);
    settings.url = checked;
  }
  if (timeout !== undefined) settings.timeout = timeout;
}

function failure(text) {
  return { Status: Status.NO_AGENT, Message: text, FileName: "", FileServer: "" };
}

/** Send one call: `endpoint` ("SignApproved" ...), `params` an object or its JSON text; resolves to the reply. */
export function call(endpoint, params) {
  const text = typeof params === "string" ? params : JSON.stringify(params || {});
  const base = settings.url || defaultUrl();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reply) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(reply);
      }
    };
    const timer = setTimeout(() => {
      finish(failure("Dịch vụ ký số không trả lời (hết thời gian chờ)"));
      socket.close();
    }, settings.timeout);
    const socket = new WebSocket(`${base}/${endpoint}`);
    socket.onopen = () => socket.send(text);
    socket.onmessage = (event) => {
      let reply;
      try {
        reply = JSON.parse(event.data);
      } catch (error) {
        reply = failure("Dịch vụ ký số trả lời không đúng định dạng");
      }
      finish(reply);
      socket.close();
    };
    socket.onerror = () => finish(failure("Không kết nối được dịch vụ ký số Kyso (kyso agent run)"));
    socket.onclose = () => finish(failure("Dịch vụ ký số đã đóng kết nối"));
  });
}

const ENDPOINTS = {
  signApproved: ["SignApproved", "vgca_sign_approved"],
  signIssued: ["SignIssued", "vgca_sign_issued"],
  signIncome: ["SignIncome", "vgca_sign_income"],
  signCopy: ["SignCopy", "vgca_sign_copy"],
  signAppendix: ["SignAppendix", "vgca_sign_appendix"],
  signPdf: ["SignPDF", "vgca_sign_pdf"],
  verifyPdf: ["VerifyPDF", "vgca_verify_pdf"],
  signXml: ["SignXML", "vgca_sign_xml"],
  verifyXml: ["VerifyXML", "vgca_verify_xml"],
  getCertInfo: ["GetCertInfo", "vgca_get_cert_info"],
  config: ["Config", "vgca_config"],
};

const kyso = { Status, configure, call };
for (const [method, [endpoint, global]] of Object.entries(ENDPOINTS)) {
  kyso[method] = (params) => call(endpoint, params);
  // vgcaplugin.js's shape: (json text, callback receiving the reply as JSON text)
  globalThis[global] = (json, callback) => {
    call(endpoint, json).then((reply) => {
      if (typeof callback === "function") callback(JSON.stringify(reply));
    });
  };
}
globalThis.kyso = kyso;

export default kyso;
