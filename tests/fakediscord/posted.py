"""What is posted in the fake world: messages, and the webhooks that post some of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tests.fakediscord.constants import MessageFlag
from tests.fakediscord.models import Json, User, iso, now


@dataclass
class Message:
    """A message as the server stores it; ``request`` is the JSON body the bot sent."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    flags: int = 0
    nonce: str | int | None = None
    allowed_mentions: Json | None = None
    mention_everyone: bool = False
    mentions: list[User] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    tts: bool = False
    message_reference: Json | None = None
    type: int = 0
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: Json | None = None
    created_at: datetime = field(default_factory=now)
    edited_at: datetime | None = None
    deleted: bool = False
    request: Json = field(default_factory=dict)
    edits: list[Json] = field(default_factory=list)

    def __repr__(self) -> str:
        text = self.content if len(self.content) <= 40 else self.content[:37] + "..."
        return (
            f"<Message id={self.id} channel={self.channel_id} content={text!r} "
            f"embeds={len(self.embeds)} flags={self.flags}{' deleted' if self.deleted else ''}>"
        )

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees it."""
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Whether it is a deferred "thinking..." placeholder."""
        return bool(self.flags & MessageFlag.LOADING)

    def to_api(self) -> Json:
        """The message object."""
        data: Json = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_api(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": None if self.edited_at is None else iso(self.edited_at),
            "tts": self.tts,
            "mention_everyone": self.mention_everyone,
            "mentions": [u.to_api() for u in self.mentions],
            "mention_roles": [str(r) for r in self.mention_roles],
            "attachments": [],
            "embeds": self.embeds,
            "components": self.components,
            "reactions": [],
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        optional = {
            "nonce": self.nonce,
            "message_reference": self.message_reference,
            "webhook_id": None if self.webhook_id is None else str(self.webhook_id),
            "application_id": None if self.application_id is None else str(self.application_id),
            "interaction_metadata": self.interaction_metadata,
        }
        data |= {k: v for k, v in optional.items() if v is not None}
        return data


@dataclass
class Webhook:
    """An incoming webhook of a channel; made by the bot, so owned by its application."""

    id: int
    guild_id: int
    channel_id: int
    name: str
    token: str
    creator: User
    application_id: int | None = None
    avatar: str | None = None
    deleted: bool = False

    def to_api(self, *, with_token: bool = True) -> Json:
        """The webhook object (the token only for those who may manage it)."""
        data: Json = {
            "id": str(self.id),
            "type": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "name": self.name,
            "avatar": self.avatar,
            "application_id": None if self.application_id is None else str(self.application_id),
            "user": self.creator.to_api(),
        }
        if with_token:
            data["token"] = self.token
        return data
