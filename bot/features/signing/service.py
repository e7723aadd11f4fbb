"""Signing by message: ``/sign M12``, typing ``sign M12``, or a deep-link button (``/start
sign-M12``), all privately. The bot first says what is kept and who sees it (the Signable's
description); the signature is recorded only when the person answers yes (in English or in
their own language). ``/sign M12 yes`` does both at once. Withdrawing a signature is the same
for every kind of thing signed.
"""

from __future__ import annotations

from bot.features.signing.model import Signable
from bot.features.signing.parse import TYPED, USAGE, answer, branch, target
from bot.kernel.context import Context
from bot.kernel.errors import UserError
from bot.kernel.language import _
from bot.kernel.markup import markup
from bot.storage.dialogues import Dialogues

DIALOGUE = "sign"


class SigningService:
    def __init__(self, dialogues: Dialogues, signables: dict[str, Signable]) -> None:
        self._dialogues = dialogues
        self._signables = signables

    @property
    def letters(self) -> frozenset[str]:
        """The id letters of what can be signed (M: a model-motion campaign, T: a trigger)."""
        return frozenset(self._signables)

    def _target(self, text: str) -> tuple[str, int]:
        return target(text, set(self._signables))

    @staticmethod
    def _private(ctx: Context, ref: str) -> None:
        if not ctx.room.private:
            raise UserError(_("Sign privately, so the group does not see who signed: message me sign {ref}").format(
                ref=ref))

    async def begin(self, ctx: Context, ref: str) -> None:
        letter, n = self._target(ref)
        self._private(ctx, f"{letter}{n}")
        prompt = await self._signables[letter].describe(ctx, n)
        await self._dialogues.save(ctx.actor.id, DIALOGUE, {"letter": letter, "n": n}, ctx.event_id)
        await ctx.reply(markup(_("{prompt}\nReply yes to sign (or yes BRANCH NAME to add your branch), or no to "
                                 "cancel."), prompt=prompt))

    async def confirm(self, ctx: Context, letter: str, n: int, branch_name: str | None) -> None:
        self._private(ctx, f"{letter}{n}")
        text = await self._signables[letter].sign(ctx, n, branch_name)
        await self._forget(ctx)
        await ctx.reply(text)

    async def sign_now(self, ctx: Context, ref: str, said: str) -> None:
        """``/sign M12 yes [BRANCH]``: consent given with the command."""
        found = answer(said)
        if found is None or not found[0]:
            raise UserError(_("Usage: {usage}").format(usage=_(USAGE)))
        letter, n = self._target(ref)
        await self.confirm(ctx, letter, n, branch(found[1]))

    async def unsign(self, ctx: Context, ref: str) -> None:
        """Withdraw the speaker's signature, whatever it was on."""
        letter, n = self._target(ref)
        self._private(ctx, f"{letter}{n}")
        await self._signables[letter].unsign(ctx, n)
        await ctx.reply(_("Your signature on {ref} is withdrawn and deleted.").format(ref=f"{letter}{n}"))

    async def _forget(self, ctx: Context) -> None:
        """After a signature: a question about signing that was open is answered. (Its own
        transaction, after the signature's, which took the update id: should the bot stop
        between the two, a later yes is refused as a second signature.)"""
        asked = await self._dialogues.current(ctx.actor.id)
        if asked is not None and asked.name == DIALOGUE:
            await self._dialogues.close(ctx.actor.id, DIALOGUE)

    async def converse(self, ctx: Context, text: str) -> bool:
        """A private message: ``sign M12`` / ``unsign M12`` typed, or the answer to the question."""
        typed = TYPED.match(text)
        if typed:
            if typed.group(1).lower() == "sign":
                await self.begin(ctx, typed.group(2))
            else:
                await self.unsign(ctx, typed.group(2))
            return True
        asked = await self._dialogues.current(ctx.actor.id)
        if asked is None or asked.name != DIALOGUE:
            return False
        letter, n = asked.state["letter"], asked.state["n"]
        ref = f"{letter}{n}"
        if asked.expired:
            await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
            raise UserError(_("The question about signing {ref} waited over a day, so it has ended and nothing was "
                              "signed. To sign, message me sign {ref}").format(ref=ref))
        found = answer(text)
        if found is None:
            raise UserError(_("Reply yes to sign {ref} (or yes BRANCH NAME), or no to cancel.").format(ref=ref))
        if not found[0]:
            await self._dialogues.close(ctx.actor.id, DIALOGUE, ctx.event_id)
            await ctx.reply(_("Not signed: nothing about you was kept for {ref}.").format(ref=ref))
            return True
        await self.confirm(ctx, letter, n, branch(found[1]))
        return True
