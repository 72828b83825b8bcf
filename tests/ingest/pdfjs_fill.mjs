// node pdfjs_fill.mjs PDFJS_MODULE in.pdf out.pdf name=value ...: fill a form as Firefox's pdf.js
// does (its annotation storage), then save it with pdf.js's own writer (an incremental update).
// Text fields take the text; a checkbox "true" or "false"; an option button its state name; a
// drop-down the option's text.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [module, input, output, ...pairs] = process.argv.slice(2);
const { getDocument } = await import(pathToFileURL(module).href);
const want = Object.fromEntries(
  pairs.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)])
);
const doc = await getDocument({ data: new Uint8Array(readFileSync(input)), isEvalSupported: false })
  .promise;
const fields = (await doc.getFieldObjects()) || {};
for (const [name, widgets] of Object.entries(fields)) {
  if (!(name in want)) continue;
  for (const w of widgets) {
    if (!w.id) continue;
    if (w.type === "text") doc.annotationStorage.setValue(w.id, { value: want[name] });
    else if (w.type === "checkbox") doc.annotationStorage.setValue(w.id, { value: want[name] === "true" });
    else if (w.type === "radiobutton")
      doc.annotationStorage.setValue(w.id, { value: w.exportValues === want[name] });
    else if (w.type === "combobox") doc.annotationStorage.setValue(w.id, { value: want[name] });
  }
}
writeFileSync(output, await doc.saveDocument());
await doc.destroy();
