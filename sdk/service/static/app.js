// The page for people: upload a signed document, read the verdict, download the printable report.
// Every text from a document or certificate is set with textContent (never as HTML).
"use strict";
const PAGE = {
  vi: { title: "Kiểm tra chữ ký số", intro: "Chọn tệp văn bản đã ký số (PDF hoặc gói tin edXML, XML) để kiểm tra chữ ký và chứng thư số.",
        check: "Kiểm tra", download: "Tải kết quả kiểm tra (PDF)", api: "Tài liệu API cho các hệ thống", other: "English",
        checking: "Đang kiểm tra…", link: "Kết quả tra cứu hồ sơ", choose: "Hãy chọn một tệp.", when: "Thời điểm ký",
        test: "Chứng thư thử nghiệm: không có giá trị pháp lý", failed: "Không kiểm tra được" },
  en: { title: "Digital signature check", intro: "Choose a signed document (PDF, edXML or XML) to check its signatures and certificates.",
        check: "Check", download: "Download the report (PDF)", api: "API documentation for systems", other: "Tiếng Việt",
        checking: "Checking…", link: "Result of the dossier", choose: "Choose a file first.", when: "Signing time",
        test: "Test certificate: no legal value", failed: "Could not check" },
};
let lang = localStorage.getItem("kyso-lang") || "vi";
let words = null;
let lastReport = null;

async function loadWords() {
  const answer = await fetch(`/api/v1/words?lang=${lang}`);
  words = await answer.json();
}

function t(key) { return PAGE[lang][key]; }

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.getElementById("lang").textContent = t("other");
  document.title = `${t("title")} - Kyso`;
}

function commonName(subject) {
  if (!subject) return "-";
  const parts = subject.split(subject.includes("; ") ? "; " : ", ");
  const cn = parts.find((p) => p.startsWith("Common Name: "));
  return cn ? cn.slice("Common Name: ".length) : subject;
}

function row(list, label, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt"); dt.textContent = label;
  const dd = document.createElement("dd"); dd.textContent = value;
  list.append(dt, dd);
}

function show(report) {
  lastReport = report;
  const L = words.labels;
  const verdict = document.getElementById("verdict");
  verdict.className = `verdict ${report.indication}`;
  verdict.textContent = `${L.verdict}: ${words.verdict[report.indication]}`;
  document.getElementById("document").textContent = `${L.document}: ${report.document || "-"} (${report.format})`;
  const list = document.getElementById("signatures");
  list.replaceChildren();
  if (!report.signatures.length) {
    const p = document.createElement("p"); p.textContent = L.no_signature; list.append(p);
  }
  report.signatures.forEach((sig, index) => {
    const card = document.createElement("article");
    card.className = `card ${sig.indication}`;
    const h = document.createElement("h2");
    h.textContent = `${L.signature} ${index + 1}: ${words.verdict[sig.indication]}`;
    const dl = document.createElement("dl");
    const cert = sig.certificate || {};
    // the certificate summary (title, validity, test material) where the report has it, signer or certificate
    const signer = { ...cert, ...(sig.signer || {}) };
    // moments as the text report shows them, formatted by the service (kyso.reports.moment_text)
    const moment = (report.display && report.display[lang][index]) || {};
    row(dl, L.signer, signer.common_name || signer.subject);
    row(dl, lang === "vi" ? "Chức danh" : "Title", signer.title);
    row(dl, L.organization, signer.organization);
    row(dl, L.issuer, commonName(signer.issuer));
    row(dl, t("when"), moment.signing_time);
    if (sig.timestamp) row(dl, L.timestamp, `${moment.timestamp} (${sig.timestamp.authority || "-"})`);
    if (sig.kind) row(dl, L.kind, words.kinds[sig.kind] || sig.kind);
    if (sig.sub_indication) row(dl, L.reason, words.why[sig.sub_indication] || sig.sub_indication);
    if (cert.revocation) {
      const said = words.revocation[cert.revocation.status] || cert.revocation.status;
      row(dl, L.revocation, `${said} (${L.source}: ${cert.revocation.source})`);
    }
    if (moment.not_before && moment.not_after) row(dl, lang === "vi" ? "Hiệu lực" : "Validity", `${moment.not_before} → ${moment.not_after}`);
    card.append(h, dl);
    if (signer.test_material) {
      const w = document.createElement("p"); w.className = "warning"; w.textContent = t("test"); card.append(w);
    }
    list.append(card);
  });
  document.getElementById("result").hidden = false;
}

function fail(text) {
  const status = document.getElementById("status");
  status.className = "error";
  status.textContent = text;
}

async function answerOf(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body && body.message ? body.message : `HTTP ${response.status}`);
  return body;
}

async function check(event) {
  event.preventDefault();
  if (!words) await loadWords();
  const file = document.getElementById("file").files[0];
  if (!file) { fail(t("choose")); return; }
  const status = document.getElementById("status");
  status.className = ""; status.textContent = t("checking");
  document.getElementById("result").hidden = true;
  const form = new FormData(); form.append("file", file); form.append("lang", lang);
  try {
    show(await answerOf(await fetch(`/api/v1/verify?lang=${lang}&display=1`, { method: "POST", body: form })));
    status.textContent = "";
  } catch (error) { fail(`${t("failed")}: ${error.message}`); }
}

async function download() {
  const file = document.getElementById("file").files[0];
  if (!file) return;
  const form = new FormData(); form.append("file", file); form.append("lang", lang);
  const response = await fetch(`/api/v1/report.pdf?lang=${lang}`, { method: "POST", body: form });
  if (!response.ok) { fail((await response.json()).message); return; }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = "ket-qua-kiem-tra-chu-ky-so.pdf";
  link.click();
}

async function checkLink(id) {
  const status = document.getElementById("status");
  status.textContent = `${t("link")} ${id}: ${t("checking")}`;
  document.getElementById("upload").hidden = true;
  document.getElementById("download").hidden = true;
  try {
    show(await answerOf(await fetch(`/api/v1/links/${encodeURIComponent(id)}?lang=${lang}&display=1`)));
    status.textContent = `${t("link")} ${id}`;
  } catch (error) { fail(`${t("failed")}: ${error.message}`); }
}

async function start() {
  // the handlers first: a form submitted before the words arrive must not be sent natively
  document.getElementById("upload").addEventListener("submit", check);
  document.getElementById("download").addEventListener("click", download);
  await loadWords();
  applyLanguage();
  document.getElementById("lang").addEventListener("click", async () => {
    lang = lang === "vi" ? "en" : "vi";
    localStorage.setItem("kyso-lang", lang);
    await loadWords();
    applyLanguage();
    if (lastReport) show(lastReport);
  });
  const linked = location.pathname.match(/^\/verify\/(.+)$/);
  if (linked) await checkLink(decodeURIComponent(linked[1]));
}
start();
