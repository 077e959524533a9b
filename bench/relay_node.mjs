// The same bare relay as bench/relay_py.py, on Node's `socket.io` (the reference
// implementation): rooms by group from `auth`, `note.add` to the room, ack at once,
// a fake seq counter. No auth, no log, no validation, no batching. Same rooms and the
// same fan-out as relay_py.py (members:G, staff:G, all, public; participant.joined to
// the group's facilitator and the lead), frames uncompressed (permessage-deflate off,
// socket.io's default, stated explicitly).
//
//   node bench/relay_node.mjs --port 8000 [--deflate] [--no-join-events]
import { createServer } from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(opt("port", 8000));
const host = opt("host", "127.0.0.1");
const deflate = args.includes("--deflate");
const joinEvents = !args.includes("--no-join-events");

const http = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
  }
});
const io = new Server(http, {
  pingInterval: 20000,
  pingTimeout: 25000,
  maxHttpBufferSize: 64 * 1024,
  serveClient: false,
  perMessageDeflate: deflate,
});
const PUBLIC = "public", ALL = "all";
const members = (g) => `members:${g}`, staff = (g) => `staff:${g}`;
let seq = 0;

io.on("connection", (socket) => {
  const auth = socket.handshake.auth || {};
  let role, group = null;
  if (auth.join_code) { role = "participant"; group = String(auth.join_code); }
  else if (typeof auth.token === "string" && auth.token.startsWith("facilitator:")) {
    role = "facilitator"; group = auth.token.slice("facilitator:".length);
  } else if (typeof auth.token === "string" && auth.token.startsWith("p:")) {
    role = "participant"; group = auth.token.split(":")[1];
  } else role = auth.token === "lead" ? "lead" : "screen";
  const rooms = [PUBLIC];
  if (group) rooms.push(role === "participant" ? members(group) : staff(group));
  else if (role === "lead") rooms.push(ALL);
  socket.join(rooms);
  const welcome = { role, group_id: group, server_time: Date.now(), last_seq: seq, snapshot: {} };
  if (role === "participant") welcome.token = `p:${group}:${socket.id}`;
  socket.emit("welcome", welcome);
  if (role === "participant" && auth.join_code && joinEvents) { // a new participant, not a return
    io.to([staff(group), ALL]).emit("event", { seq: ++seq, ts: Date.now(), type: "participant.joined",
      actor: { role }, group_id: group, data: { participant_id: socket.id, name: auth.name } });
  }

  const relay = (type, payload, ack, { pub = false, idKey = null } = {}) => {
    payload = payload && typeof payload === "object" ? payload : {};
    const g = payload.group_id || group;
    const s = ++seq;
    const data = { ...payload };
    const reply = { ok: true, seq: s };
    if (idKey) data[idKey] = reply[idKey] = `${idKey[0]}${s}`;
    const event = { seq: s, ts: Date.now(), type, actor: { role }, group_id: pub ? null : g, data };
    io.to(pub ? PUBLIC : [members(g), staff(g), ALL]).emit("event", event);
    if (typeof ack === "function") ack(reply);
  };
  socket.on("note.add", (p, ack) => relay("note.added", p, ack, { idKey: "note_id" }));
  socket.on("note.support", (p, ack) => relay("note.supported", p, ack));
  socket.on("keypoint.add", (p, ack) => relay("keypoint.added", p, ack, { idKey: "keypoint_id" }));
  socket.on("keypoint.publish", (p, ack) => relay("keypoint.published", p, ack, { pub: true }));
  socket.on("agenda.start", (p, ack) => relay("agenda.started", p, ack, { pub: true }));
  socket.on("plenary.focus", (p, ack) => relay("plenary.focused", p, ack, { pub: true }));
  socket.on("sync", (p, ack) => {
    if (typeof ack === "function")
      ack({ ok: true, events: [], last_seq: seq, until: seq, more: false, server_time: Date.now() });
  });
});

http.listen(port, host, () => console.log(`relay_node listening on ${host}:${port}`));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => { io.close(); process.exit(0); });
