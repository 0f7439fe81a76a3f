"""The outbox's publisher: pending instant posts -> Discord messages, paced and posted once.

:class:`DeliveryWorker` claims pending rows, posts each with a nonce derived from the row (so a
crash between Discord's answer and ``mark_sent`` cannot post twice), keeps under the global and
per-channel rate limits itself, and turns Discord's answers into store updates (sent, retry,
paused subscription, removed channel). Posts without a nonce (forum posts, posts through a
channel's webhook) are made once by marking, then looking before a retry (``forum``,
``webhooks``). It also tells channels about feeds failing for a day.
"""

from bot.delivery.config import DeliveryConfig
from bot.delivery.outcome import Action, backoff, classify, nonce_for
from bot.delivery.pacing import Pacer, SlidingWindow
from bot.delivery.post import Poster
from bot.delivery.sender import Outgoing, Sender, SendFailed, Target
from bot.delivery.worker import DeliveryWorker

__all__ = [
    "Action",
    "DeliveryConfig",
    "DeliveryWorker",
    "Outgoing",
    "Pacer",
    "Poster",
    "SendFailed",
    "Sender",
    "SlidingWindow",
    "Target",
    "backoff",
    "classify",
    "nonce_for",
]
