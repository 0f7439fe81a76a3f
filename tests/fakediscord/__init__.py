"""A Discord-compatible server for tests: the real discord.py 2.7 client talks to it unmodified.

Only tests import this package. It speaks REST under ``/api/v10`` and the JSON gateway
(zlib-stream when asked, as discord.py always does) on 127.0.0.1 with an ephemeral port.

Pointing discord.py at it (the fixtures in ``tests/fixtures/discord.py`` do this, and restore it)::

    discord.http.Route.BASE = fake.api_base                      # http://127.0.0.1:PORT/api/v10
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url) # ws://127.0.0.1:PORT/gateway

``GET /gateway/bot`` also returns ``gateway_url`` (what AutoShardedClient asks for); a plain
``Client`` never asks and uses ``DEFAULT_GATEWAY``. Log in with ``fake.token``.

The default world (attributes of :class:`FakeDiscord`)
    ``guild``; text channels ``channel`` (#news), ``channel2`` (#digest), ``locked_channel`` (bot
    denied Send Messages), ``no_embeds_channel`` (bot denied Embed Links), ``hidden_channel`` (bot
    denied View Channel); users ``owner``, ``admin`` (role ``admin_role`` with Manage Server),
    ``member`` (no extra role); ``bot_user`` with ``bot_role``; ``application_id``.
    Change it: ``await add_guild(name, guild_id=None)`` (the bot joins; ``await
    join_guild(guild)`` for one built with ``world.add_guild``), ``await remove_guild(guild)``
    (the bot is removed), ``await add_channel(name, guild=None, overwrites=())``, ``await
    set_permissions(channel, role_or_user_id, allow=0, deny=0, member=False)``, ``await
    delete_channel(channel)`` (gateway events are dispatched);
    ``fake.world`` holds everything (``world.add_user``, ``world.add_member``, ``world.add_role``).

Reading what the bot did (:class:`Message` has ``content``, ``embeds``, ``components``,
``flags``, ``ephemeral``, ``nonce``, ``allowed_mentions``, ``mention_everyone``, ``mentions``,
``mention_roles`` (who was actually pinged), ``request`` (the JSON the bot sent), ``edits``)
    ``messages(channel, include_ephemeral=False, include_deleted=False)``, ``message(id)``,
    ``await wait_for_messages(channel, n, timeout=5)``, ``commands(guild_id=None)`` (the synced
    tree as Discord returns it), ``command_syncs``, ``requests`` / ``requests_to(route_key)``,
    ``unknown_routes``, ``rate_limit_hits``, ``await wait_until(predicate, timeout, what)``.

Channel messages behave as Discord documents them
    404 Unknown Channel (10003); 403 Missing Access (50001) without View Channel, Missing
    Permissions (50013) without Send Messages, or for an embed-only message without Embed Links
    (next to content, embeds are silently dropped); 400 Invalid Form Body (50035) beyond the
    content / embed (6,000 characters, 10 embeds) / component / nonce (25) limits. With
    ``enforce_nonce`` a nonce the bot used within ``nonce_window`` seconds returns the first
    message and creates nothing (per author, as documented, not per channel).
    ``add_channel(name, type=5)`` makes an announcement channel: ``POST .../crosspost`` publishes
    a message (flag CROSSPOSTED); the author needs Send Messages, others Manage Messages; a
    second publish is 400 (40033), any other channel type 400 (50024). ``await
    add_thread(parent, name)`` makes a thread (THREAD_CREATE; type 11, or 10/12); posting there
    needs Send Messages in Threads (without it embeds go, as discord.py computes); ``await
    archive_thread(thread, locked=False)`` archives it (THREAD_UPDATE): a post unarchives it,
    except a locked one without Manage Threads (400 50083). ``PATCH /channels/{thread}`` sets
    ``archived``/``locked`` (Send Messages to unarchive, Manage Threads when locked).
    ``await add_forum(name, tags=(), require_tag=False)`` makes a forum (type 15); see
    ``tests.fakediscord.forums`` for posts, tags and thread listings; ``posts(forum)`` lists
    (thread, starter message). Channel webhooks (Manage Webhooks to make them; executed with
    their token, ``username``, ``avatar_url``, ``thread_id``, ``wait``; 10015 once deleted): see
    ``tests.fakediscord.webhooks``; ``webhooks(channel)`` lists them, ``add_webhook(channel,
    name, by_bot=True)`` makes one as if earlier, ``delete_webhook(hook)`` removes one.
    ``lose_answers(route, count=1)`` handles the next requests to a route, then drops the
    connection unanswered (a lost answer); ``hold_answers(route, count=1)`` handles them and
    never answers (the client is killed while it waits);
    ``stall_requests(route, count=1)`` holds them unhandled (killed before Discord acted);
    ``holding`` counts the requests held now.

Interactions (the command must have been synced; options are typed from the synced schema and
impossible values raise ValueError, as Discord's client would refuse them)
    ``handle = await fake.interact("feed add", {"url": u, "channel": ch.id}, user=fake.member,
    channel=fake.channel)``; ``await fake.autocomplete("feed remove", {"feed": "bb"},
    focused="feed")``; ``await fake.click(message, "custom:id", values=None)``; ``await
    fake.submit_modal(custom_id, {"field": "value"})``; ``await fake.context_menu(name, message)``.
    :class:`InteractionHandle`: ``await response()`` (callback body ``{"type", "data"}``),
    ``await original_message()`` (final, i.e. after a deferred reply was filled), ``await
    wait_followups(n)``, ``await choices()``, ``replies()``, ``callbacks``, ``followups``; each wait
    takes ``timeout`` (default 5 s). A callback later than ``interaction_ack_timeout`` (3 s) gets
    404 Unknown interaction, a second one 400 (40060), as on Discord.

Rate limits (:class:`Limits`; defaults are Discord's: 5 messages / 5 s per channel, 50 requests /
s global for bot-token requests; interaction and webhook-token routes are exempt from the global;
5 executes / 2 s per webhook)
    Every window opens on its first request and admits ``limit`` requests until it ends, so a
    client that keeps at most N requests in any sliding window never sees a 429. Responses carry
    ``X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket``; a 429 carries ``retry_after``,
    ``global``, ``Retry-After``, ``X-RateLimit-Scope`` and ``Via`` (without ``Via`` discord.py
    raises instead of retrying). ``fake.inject_429(count, route=MESSAGES_ROUTE, retry_after=0.05,
    is_global=False, via=True)`` refuses the next ``count`` matching requests.
    ``fake.rate_limit_hits`` lists every 429; ``fake.earned_429s`` only those the client's own
    pacing caused: not injected, and no global 429 within a second after the fake's own event
    loop stalled 50 ms or more (it then counts together requests that arrived spread out).
    ``fake.inject_error(status, code, message, channel=None, route=MESSAGES_ROUTE, count=1,
    bare=False)`` answers the next ``count`` with that error; ``bare=True`` sends an HTML page
    without Discord's JSON body (no error code), as a proxy or CDN edge in front of it does.

Gateway
    HELLO (``heartbeat_interval`` seconds, constructor option), IDENTIFY -> READY + GUILD_CREATE
    per guild of the shard (``(guild_id >> 22) % shard_count``), heartbeat ACKs, RESUME with replay
    of missed events, op 8 member chunks, privileged intents refused with 4014 unless enabled by
    ``privileged_intents``. ``await fake.dispatch(event, data, guild_id=None)``; ``await
    drop_gateway(code=4000)``, ``send_reconnect()``, ``invalidate_session(resumable=False)``,
    ``wait_until_connected()``, ``identify_count``, ``resume_count``, ``gateway.replayed``.

Lifecycle: ``fake = await FakeDiscord(limits=..., shards=1, heartbeat_interval=41.25,
interaction_ack_timeout=3.0, nonce_window=300, privileged_intents=0).start()``; ``await
fake.stop()`` (or ``async with FakeDiscord() as fake``).
"""

from tests.fakediscord.constants import MessageFlag, Perm
from tests.fakediscord.fake import FakeDiscord
from tests.fakediscord.interactions import InteractionHandle
from tests.fakediscord.models import Channel, Guild, Overwrite, Role, User
from tests.fakediscord.posted import Message, Webhook
from tests.fakediscord.ratelimit import MESSAGES_ROUTE, Limits, RateLimitHit

__all__ = [
    "MESSAGES_ROUTE",
    "Channel",
    "FakeDiscord",
    "Guild",
    "InteractionHandle",
    "Limits",
    "Message",
    "MessageFlag",
    "Overwrite",
    "Perm",
    "RateLimitHit",
    "Role",
    "User",
    "Webhook",
]
