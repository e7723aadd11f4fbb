"""Poll commands: /poll, /vote, /rank, /polls, /results, /close, /receipt and /start."""

from __future__ import annotations

from bot.commands.registry import command
from bot.commands.start import PAYLOADS
from bot.context import Context
from bot.csv_export import send_privately
from bot.kernel.errors import UserError
from bot.kernel.grammar import is_number
from bot.kernel.markup import b, esc, pre
from bot.kernel.secrecy import receipt, voter_hash
from bot.poll import Poll
from bot.poll_render import when
from bot.poll_spec import SpecError, parse_poll

POLL_DETAILS = (
    "Options: --closes 30m|2h|18:00|2026-06-03T18:00 (deadline), --secret (vote privately, "
    "nobody sees who voted what), --hidden (results only at close), --multi N (choose up to N), "
    "--quorum 40% or --quorum 25 (minimum turnout), --majority simple|absolute|two-thirds|"
    "industrial|industrial-40, --roll (electorate: the membership roll), --branch NAME, "
    "--card (card vote weighted by the roll), --native (the platform's own poll), "
    "--ranked [--seats N] (a preferential election). "
    "Without options the poll is a Yes / No / Abstain proposal."
)


async def _poll_for_organiser(ctx: Context, args: str, usage: str) -> tuple[Poll, str]:
    poll_id, rest = ctx.core.polls.parse_id(args, usage)
    poll = await ctx.core.polls.get(poll_id)
    if poll.creator != ctx.actor.id and not await ctx.is_organiser(poll.room):
        raise UserError(f"Only an organiser of the room or the poll's creator can do that with poll {poll_id}.")
    return poll, rest


async def _just_a_poll(ctx: Context, args: str, name: str) -> Poll:
    """The poll named by ARGS, for commands that take nothing but a poll number."""
    poll_id, rest = ctx.core.polls.parse_id(args, f"/{name} POLL")
    if rest:
        raise UserError(f"Usage: /{name} POLL (just the poll number).")
    return await ctx.core.polls.get(poll_id)


async def _may_see(ctx: Context, poll: Poll) -> None:
    if ctx.room.id == poll.room:
        return
    if ctx.room.private:
        if await ctx.is_organiser(poll.room):
            return
        try:
            await ctx.core.polls.eligibility(ctx.actor, ctx.room, poll)
            return
        except UserError:
            pass
    raise UserError(f"Poll {poll.id} belongs to another room; ask there.")


@command("poll", summary="start a poll or proposal", organiser=True,
         usage="/poll QUESTION | OPTION | OPTION … [--closes 30m] [--secret] [--multi N] [--hidden]",
         details=POLL_DETAILS)
async def poll_command(ctx: Context, args: str) -> None:
    core = ctx.core
    if ctx.room.private:
        raise UserError("Start a poll in the group where members will vote, not in a private chat.")
    if not core.config.members_may_poll and not await ctx.is_organiser():
        raise UserError("Only organisers of this room can start a poll.")
    try:
        spec = parse_poll(args, core.clock.now(), core.config.tz, core.config.default_electorate)
    except SpecError as e:
        raise UserError(f"{str(e)[:1].upper()}{str(e)[1:]}.") from None
    poll = await core.polls.open_poll(ctx.room.id, ctx.actor.id, spec, ctx.event_id)
    if poll.native:
        await ctx.private(
            f"Poll {poll.id} is a native poll: the platform shows every voter's choice to the whole group. "
            "Use --secret for a secret ballot."
        )


@command("vote", summary="vote in a poll", usage="/vote POLL OPTION [OPTION …]",
         details="OPTION is the option's number or name; separate several with spaces or commas. "
         "Voting again replaces your earlier vote until the poll closes.")
async def vote_command(ctx: Context, args: str) -> None:
    usage = "/vote POLL OPTION, e.g. /vote 3 2 or /vote 3 Pizza"
    poll_id, rest = ctx.core.polls.parse_id(args, usage)
    await ctx.core.polls.vote_text(ctx, poll_id, rest, ranked=False)


@command("rank", summary="rank the candidates of an election (privately)", usage="/rank POLL FIRST SECOND …",
         details="List option numbers in order of preference, e.g. /rank 4 3 1 2. You need not rank all.")
async def rank_command(ctx: Context, args: str) -> None:
    usage = "/rank POLL FIRST SECOND …, e.g. /rank 4 3 1 2"
    poll_id, rest = ctx.core.polls.parse_id(args, usage)
    await ctx.core.polls.vote_text(ctx, poll_id, rest, ranked=True)


@command("polls", summary="list the open polls", usage="/polls")
async def polls_command(ctx: Context, args: str) -> None:
    if args.strip():
        raise UserError("Usage: /polls (no arguments).")
    core = ctx.core
    now = core.clock.now()
    lines = []
    for poll in sorted(core.polls.open.values(), key=lambda p: p.id):
        if poll.room != ctx.room.id:
            if not ctx.room.private:
                continue
            try:
                await core.polls.eligibility(ctx.actor, ctx.room, poll)
            except UserError:
                continue
        closes = f" — closes {when(poll.closes_at, core.config.tz, now)}" if poll.closes_at else ""
        lines.append(f"{b(poll.id)}: {esc(poll.question)}{closes}")
    if not lines:
        await ctx.reply("No open polls here.")
        return
    await ctx.reply("Open polls:\n" + "\n".join(lines))


@command("results", summary="show a poll's result (or the tally so far)", usage="/results POLL [--names]",
         details="--names lists who voted for what, for open (not secret) ballots.")
async def results_command(ctx: Context, args: str) -> None:
    usage = "/results POLL [--names]"
    core = ctx.core
    poll_id, rest = core.polls.parse_id(args, usage)
    if rest not in ("", "--names"):
        raise UserError(f"Unexpected {rest!r}. Usage: {usage}")
    poll = await core.polls.get(poll_id)
    await _may_see(ctx, poll)
    names = await core.polls.voter_names(poll) if rest == "--names" else None
    if poll.is_open:
        if poll.hidden or poll.private_voting:
            n = await core.polls.count_votes(poll)
            await ctx.reply(f"Poll {poll.id} is open; its results are shown when it closes. {n} voted so far.")
            return
        assert core.db is not None
        result = await core.polls.compute(core.db, poll)
        await ctx.reply(core.polls.result_text(poll, final=False, result=result, names=names))
        return
    await ctx.reply(core.polls.result_text(poll, final=True, names=names))


@command("close", summary="close a poll now and announce the result", organiser=True, usage="/close POLL")
async def close_command(ctx: Context, args: str) -> None:
    poll, rest = await _poll_for_organiser(ctx, args, "/close POLL")
    if rest:
        raise UserError("Usage: /close POLL (just the poll number).")
    await ctx.core.polls.close(poll.id, ctx.actor.id, ctx.event_id)
    if ctx.room.id != poll.room:
        await ctx.reply(f"Poll {poll.id} is closed; the result was announced in its room.")


@command("receipt", summary="your receipt for a secret ballot (privately)", usage="/receipt POLL",
         details="The receipt code lets you check that your ballot is among those counted.")
async def receipt_command(ctx: Context, args: str) -> None:
    core = ctx.core
    poll = await _just_a_poll(ctx, args, "receipt")
    poll_id = poll.id
    if not ctx.room.private:
        raise UserError("Ask for your receipt in a private chat with me.")
    if not poll.secret:
        raise UserError(f"Poll {poll_id} is an open ballot: /results {poll_id} --names shows the votes.")
    voter, _ = await core.polls.eligibility(ctx.actor, ctx.room, poll)
    code = receipt(core.secret, poll.id, voter)
    assert core.db is not None
    async with core.db.execute(
        "SELECT 1 FROM votes WHERE poll_id = ? AND voter = ?", (poll.id, voter_hash(core.secret, poll.id, voter))
    ) as cur:
        voted = await cur.fetchone() is not None
    if not voted:
        await ctx.reply(f"You have not voted in poll {poll_id}.")
        return
    counted = await core.polls.has_receipt(poll, code)
    state = "counted" if not poll.is_open else "recorded and will be counted at the close"
    if not counted:
        state = "missing: tell the returning officer"
    await ctx.reply(f"Your receipt for poll {poll_id}: {b(code)} — your ballot is {state}.")


@command("receipts", summary="all receipt codes of a closed secret ballot (privately)", usage="/receipts POLL",
         details="Every counted ballot's receipt code, in code order and without choices, so that each voter "
         "and any auditor can check the count: the number of codes equals the votes counted.")
async def receipts_command(ctx: Context, args: str) -> None:
    core = ctx.core
    poll = await _just_a_poll(ctx, args, "receipts")
    poll_id = poll.id
    await _may_see(ctx, poll)
    if not poll.secret:
        raise UserError(f"Poll {poll_id} is an open ballot: /results {poll_id} --names shows the votes.")
    if poll.is_open:
        raise UserError(f"Poll {poll_id} is still open; its receipts are published when it closes.")
    assert core.db is not None
    rows = await core.db.execute_fetchall("SELECT code FROM receipts WHERE poll_id = ? ORDER BY code", (poll_id,))
    await send_privately(ctx, f"Poll {poll_id} receipts", ("receipt",), [tuple(r) for r in rows], "the receipts")


@command("ballots", summary="the ballots of a closed election as a BLT file", usage="/ballots POLL",
         details="BLT is the file every STV counting program reads; it holds rankings only, never names.")
async def ballots_command(ctx: Context, args: str) -> None:
    poll = await _just_a_poll(ctx, args, "ballots")
    poll_id = poll.id
    await _may_see(ctx, poll)
    if not poll.ranked:
        raise UserError(f"Poll {poll_id} is not a ranked election; /results {poll_id} shows its result.")
    if poll.is_open or poll.result is None:
        raise UserError(f"Election {poll_id} is still open; its ballots are published when it closes.")
    if not poll.result.get("blt"):
        raise UserError(f"Election {poll_id} had no ballots.")
    await ctx.reply(pre(poll.result["blt"]))


async def open_private_ballot(ctx: Context, rest: str) -> None:
    """/start vote-POLL: the ballot, privately, with its buttons."""
    if not is_number(rest):
        raise UserError("That link is not valid any more. Send /polls to see the open polls.")
    if not ctx.room.private:
        raise UserError("Open ballots privately: tap the bot's 'Vote privately' button.")
    poll = await ctx.core.polls.get(int(rest))
    refusal = poll.refusal(ctx.core.clock.now())
    if refusal:
        raise UserError(refusal)
    await ctx.core.polls.eligibility(ctx.actor, ctx.room, poll)
    text, buttons = ctx.core.polls.private_ballot(poll)
    await ctx.reply(text, buttons)


PAYLOADS["vote-"] = open_private_ballot
