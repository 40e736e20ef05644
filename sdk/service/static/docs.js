// A small, readable renderer of /openapi.json: each path and method with its summary, request body and answers.
"use strict";
function el(tag, text, cls) { const e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }

function schemaText(schema) { return JSON.stringify(schema, null, 2); }

async function render() {
  const spec = await (await fetch("/openapi.json")).json();
  document.getElementById("title").textContent = `${spec.info.title} ${spec.info.version}`;
  document.getElementById("description").textContent = spec.info.description;
  const paths = document.getElementById("paths");
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const box = el("section", null, "op");
      const head = el("h2");
      head.append(el("span", method.toUpperCase(), "method"), document.createTextNode(` ${path}`));
      box.append(head, el("p", op.summary));
      if (op.requestBody) {
        for (const [type, media] of Object.entries(op.requestBody.content)) {
          box.append(el("h3", `Request: ${type}`), el("pre", schemaText(media.schema)));
        }
      }
      const answers = el("ul");
      for (const [status, response] of Object.entries(op.responses)) answers.append(el("li", `${status}: ${response.description}`));
      box.append(el("h3", "Responses"), answers);
      paths.append(box);
    }
  }
}
render();
