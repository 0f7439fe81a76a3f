"""The WebSocket gateway: HELLO, IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from tests.fakediscord.models import Guild, Json
from tests.fakediscord.state import World

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
GUILD_MEMBERS, GUILD_MESSAGES = 1 << 1, 1 << 9
_NEEDS = {"MESSAGE_CREATE": GUILD_MESSAGES, "MESSAGE_UPDATE": GUILD_MESSAGES}
_NEEDS["MESSAGE_DELETE"] = GUILD_MESSAGES


@dataclass
class Session:
    """A gateway session: survives its connection so RESUME can replay what was missed."""

    id: str
    shard_id: int
    shard_count: int
    intents: int
    sharded: bool
    seq: int = 0
    buffer: deque[Json] = field(default_factory=lambda: deque(maxlen=2000))
    conn: Connection | None = None

    def covers(self, guild_id: int | None) -> bool:
        """Whether this session's shard receives the guild's events."""
        return guild_id is None or (guild_id >> 22) % self.shard_count == self.shard_id

    def next_dispatch(self, event: str, data: Json) -> Json:
        """A numbered DISPATCH payload, kept for replay."""
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        return payload


class Connection:
    """One WebSocket; serialises sends so zlib-stream frames stay in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()
        self.session: Session | None = None

    async def send(self, *payloads: Json) -> None:
        """Send payloads back to back (one zlib-stream message each when compressing)."""
        async with self._lock:
            for payload in payloads:
                if self.ws.closed:
                    return
                text = json.dumps(payload, separators=(",", ":"))
                try:
                    if self._zlib is None:
                        await self.ws.send_str(text)
                    else:
                        data = self._zlib.compress(text.encode())
                        await self.ws.send_bytes(data + self._zlib.flush(zlib.Z_SYNC_FLUSH))
                except (ConnectionError, RuntimeError) as exc:
                    # A closing socket: the session keeps the event for RESUME to replay.
                    log.debug("gateway: send failed (%s); kept for replay", exc)
                    return


class Gateway:
    """Serves gateway connections for the bot; tests dispatch events through it."""

    def __init__(
        self,
        world: World,
        *,
        heartbeat_interval: float,
        allowed_intents: int,
        resume_url: Callable[[], str],
    ) -> None:
        self.world = world
        self.heartbeat_interval = heartbeat_interval
        self.allowed_intents = allowed_intents
        self._resume_url = resume_url
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identifies: list[Json] = []
        self.resumes = 0
        self.replayed = 0
        self.heartbeats = 0
        self.ack_heartbeats = True

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """One gateway connection, from HELLO to close."""
        ws = web.WebSocketResponse(timeout=2.0, compress=False, max_msg_size=0)
        await ws.prepare(request)
        query = request.query
        if query.get("v") != "10" or query.get("encoding", "json") != "json":
            await ws.close(code=4012 if query.get("v") != "10" else 4002)
            return ws
        conn = Connection(ws, compress=query.get("compress") == "zlib-stream")
        self.connections.add(conn)
        try:
            await conn.send({"op": HELLO, "d": {"heartbeat_interval": self._interval_ms()}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    break
                await self._receive(conn, json.loads(msg.data))
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            self.world.notifier.notify()
        return ws

    def _interval_ms(self) -> int:
        """HELLO's heartbeat interval in milliseconds."""
        return int(self.heartbeat_interval * 1000)

    async def _receive(self, conn: Connection, payload: Json) -> None:
        """Handle one client opcode."""
        op, data = payload.get("op"), payload.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            if self.ack_heartbeats:
                await conn.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(conn, data or {})
        else:
            log.debug("gateway: ignoring op %s", op)

    async def _identify(self, conn: Connection, data: Json) -> None:
        """IDENTIFY -> READY, then GUILD_CREATE for each guild of the shard."""
        if data.get("token") != self.world.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        shard = data.get("shard") or [0, 1]
        intents = data.get("intents")
        if not 0 <= shard[0] < shard[1]:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        if intents is None or intents & PRIVILEGED & ~self.allowed_intents:
            await conn.ws.close(code=4014 if intents is not None else 4013)
            return
        self.identifies.append(data)
        session = Session(secrets.token_hex(16), shard[0], shard[1], intents, "shard" in data)
        for old in [s for s in self.sessions.values() if s.shard_id == shard[0]]:
            del self.sessions[old.id]
        self.sessions[session.id] = session
        session.conn, conn.session = conn, session
        guilds = [g for g in self.world.guilds.values() if session.covers(g.id)]
        ready = session.next_dispatch("READY", self._ready(session, guilds))
        creates = [
            session.next_dispatch("GUILD_CREATE", self.guild_create(session, g)) for g in guilds
        ]
        await conn.send(ready, *creates)
        self.world.notifier.notify()

    def _ready(self, session: Session, guilds: list[Guild]) -> Json:
        """The READY payload."""
        user = self.world.bot.to_api() | {"verified": True, "mfa_enabled": False, "flags": 0}
        data: Json = {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "application": {"id": str(self.world.application_id), "flags": self.app_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        if session.sharded:
            data["shard"] = [session.shard_id, session.shard_count]
        return data

    def guild_create(self, session: Session, guild: Guild) -> Json:
        """GUILD_CREATE as a session sees it: without the members intent, only the bot member."""
        data = guild.to_api(full=True)
        if not session.intents & GUILD_MEMBERS:
            bot_id = str(self.world.bot.id)
            data["members"] = [m for m in data["members"] if m["user"]["id"] == bot_id]
        return data

    def app_flags(self) -> int:
        """Application flags announcing which privileged intents are enabled."""
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        for intent, flag in ((1 << 8, 1 << 13), (1 << 1, 1 << 15), (1 << 15, 1 << 19)):
            if self.allowed_intents & intent:
                flags |= flag
        return flags

    async def _resume(self, conn: Connection, data: Json) -> None:
        """RESUME -> replay of missed events, then RESUMED; unknown sessions are invalidated."""
        session = self.sessions.get(data.get("session_id") or "")
        if data.get("token") != self.world.token or session is None:
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        seq = data.get("seq") or 0
        missed = [p for p in session.buffer if p["s"] > seq]
        if session.conn is not None and session.conn is not conn:
            await session.conn.ws.close(code=4000)
        session.conn, conn.session = conn, session
        self.resumes += 1
        self.replayed += len(missed)
        resumed = session.next_dispatch("RESUMED", {})
        await conn.send(*missed, resumed)
        self.world.notifier.notify()

    async def _members_chunk(self, conn: Connection, data: Json) -> None:
        """REQUEST_GUILD_MEMBERS -> one GUILD_MEMBERS_CHUNK."""
        guild = self.world.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or conn.session is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            m.to_api()
            for m in guild.members.values()
            if (not wanted or m.user.id in wanted) and m.user.username.lower().startswith(query)
        ]
        chunk: Json = {"guild_id": str(guild.id), "members": members}
        chunk |= {"chunk_index": 0, "chunk_count": 1, "not_found": []}
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await conn.send(conn.session.next_dispatch("GUILD_MEMBERS_CHUNK", chunk))

    async def dispatch(self, event: str, data: Json, guild_id: int | None = None) -> int:
        """Send an event to every session of the guild's shard; returns how many sessions got it."""
        needed = _NEEDS.get(event, 0)
        sent = 0
        for session in list(self.sessions.values()):
            if not session.covers(guild_id) or session.intents & needed != needed:
                continue
            await self.send_to(session, event, data)
            sent += 1
        return sent

    async def send_to(self, session: Session, event: str, data: Json) -> None:
        """Number an event for one session; send it now if connected, else keep it for RESUME."""
        payload = session.next_dispatch(event, data)
        if session.conn is not None:
            await session.conn.send(payload)

    def has_session(self, guild_id: int | None) -> bool:
        """Whether some identified session receives this guild's events."""
        return any(s.covers(guild_id) for s in self.sessions.values())

    async def drop(self, code: int = 4000) -> int:
        """Close every connection with a resumable close code; returns how many were closed."""
        conns = list(self.connections)
        await asyncio.gather(*(c.ws.close(code=code) for c in conns))
        return len(conns)

    async def send_op(self, op: int, data: object = None) -> None:
        """Send a raw opcode (e.g. RECONNECT 7, INVALID_SESSION 9) to every connection."""
        for conn in list(self.connections):
            await conn.send({"op": op, "d": data})

    async def close(self) -> None:
        """Close every connection (server shutting down)."""
        await self.drop(code=1001)
