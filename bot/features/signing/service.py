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
from bot.kernel.dialogue import Dialogues
from bot.kernel.errors import UserError
from bot.kernel.language import _
from bot.kernel.markup import markup

DIALOGUE = "sign"


class SigningService:
    def __init__(self, dialogues: Dialogues, signables: dict[str, Signable]) -> None:
        self._dialogues = dialogues
        self._signables = signables
        self._pending: dict[str, tuple[str, int]] = {}

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
        self._pending[ctx.actor.id] = (letter, n)
        self._dialogues.begin(ctx.actor.id, DIALOGUE)
        await ctx.reply(markup(_("{prompt}\nReply yes to sign (or yes BRANCH NAME to add your branch), or no to "
                                 "cancel."), prompt=prompt))

    async def confirm(self, ctx: Context, letter: str, n: int, branch_name: str | None) -> None:
        self._private(ctx, f"{letter}{n}")
        text = await self._signables[letter].sign(ctx, n, branch_name)
        self._forget(ctx)
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

    def _forget(self, ctx: Context) -> None:
        self._pending.pop(ctx.actor.id, None)
        self._dialogues.end(ctx.actor.id, DIALOGUE)

    async def converse(self, ctx: Context, text: str) -> bool:
        """A private message: ``sign M12`` / ``unsign M12`` typed, or the answer to the question."""
        typed = TYPED.match(text)
        if typed:
            if typed.group(1).lower() == "sign":
                await self.begin(ctx, typed.group(2))
            else:
                await self.unsign(ctx, typed.group(2))
            return True
        waiting = self._pending.get(ctx.actor.id)
        if waiting is None or self._dialogues.owner(ctx.actor.id) != DIALOGUE:
            return False
        ref = f"{waiting[0]}{waiting[1]}"
        found = answer(text)
        if found is None:
            raise UserError(_("Reply yes to sign {ref} (or yes BRANCH NAME), or no to cancel.").format(ref=ref))
        if not found[0]:
            self._forget(ctx)
            await ctx.reply(_("Not signed: nothing about you was kept for {ref}.").format(ref=ref))
            return True
        await self.confirm(ctx, waiting[0], waiting[1], branch(found[1]))
        return True
