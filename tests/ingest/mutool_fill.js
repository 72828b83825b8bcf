// mutool run mutool_fill.js in.pdf out.pdf name=value ...: fill text fields as MuPDF does, saved
// incrementally (a new revision appended after the blank one)
var doc = new PDFDocument(scriptArgs[0]);
var want = {};
for (var a = 2; a < scriptArgs.length; a++) {
  var at = scriptArgs[a].indexOf("=");
  want[scriptArgs[a].slice(0, at)] = scriptArgs[a].slice(at + 1);
}
var byRect = {};
function key(r) { return [r[0], r[1], r[2], r[3]].map(function (v) { return Math.round(v); }).join(","); }
function walk(fields, prefix) {
  for (var i = 0; i < fields.length; i++) {
    var f = fields.get(i);
    var t = f.get("T");
    var name = (!t || t.isNull()) ? prefix : (prefix ? prefix + "." : "") + t.asString();
    var kids = f.get("Kids");
    if (kids && kids.isArray()) walk(kids, name);
    else { var r = f.get("Rect"); byRect[key([r.get(0), r.get(1), r.get(2), r.get(3)])] = name; }
  }
}
walk(doc.getTrailer().get("Root").get("AcroForm").get("Fields"), "");
for (var p = 0; p < doc.countPages(); p++) {
  var page = doc.loadPage(p), h = page.bound()[3];
  var ws = page.getWidgets();
  for (var i = 0; i < ws.length; i++) {
    var r = ws[i].getRect();  // MuPDF's rectangles have their origin at the top left
    var name = byRect[key([r[0], h - r[3], r[2], h - r[1]])];
    if (name in want && ws[i].getFieldType() == "text") { ws[i].setTextValue(want[name]); ws[i].update(); }
  }
}
doc.save(scriptArgs[1], "incremental");
