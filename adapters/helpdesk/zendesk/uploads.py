"""Files for a Zendesk internal note: each is uploaded first (``POST /api/v2/uploads?filename=``
with the raw bytes and their MIME type), and the comment then names the tokens
(``comment.uploads``), which attaches them.

An upload touches no ticket: one whose answer is lost is re-sent (an unused upload expires after
60 minutes), and its failure leaves no doubt about the note, which is not posted without its
files.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import httpx

from adapters.helpdesk.http_gateway import answer
from adapters.helpdesk.resilience.calls import Resilience
from application.timing.deadline import Deadline
from domain.ticket import Attachment


async def upload_all(
    client: httpx.AsyncClient,
    resilience: Resilience,
    attachments: Sequence[Attachment],
    deadline: Deadline | None,
) -> list[str]:
    """The upload tokens of ``attachments``, in order."""
    tokens: list[str] = []
    for attachment in attachments:
        send = partial(
            client.post,
            "/api/v2/uploads",
            params={"filename": attachment.filename},
            content=attachment.data,
            headers={"Content-Type": attachment.content_type},
        )
        got = await answer(
            resilience, "upload", send, deadline, replay_safe=True, read_only=True, ok=(201,)
        )
        upload = got.field("upload", dict, "no upload in the answer")
        token = upload.get("token")
        if not isinstance(token, str) or not token:
            raise got.bad("the upload has no token")
        tokens.append(token)
    return tokens
