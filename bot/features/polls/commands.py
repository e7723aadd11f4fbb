"""Poll commands: /poll, /vote, /rank, /polls, /results, /close, /receipt, /receipts, /ballots;
the ballot buttons, the private ballot's deep link, and answers to the platforms' own polls."""

from __future__ import annotations

from bot.features.polls.model import Poll
from bot.features.polls.parse import USAGE as POLL_USAGE
from bot.features.polls.parse import parse_poll, parse_poll_id, split_for
from bot.features.polls.render import listing_line, too_few_for_secrecy
from bot.features.polls.service import PollService
from bot.kernel.clock import Clock
from bot.kernel.config import Config
from bot.kernel.context import Context
from bot.kernel.csv_export import file_name
from bot.kernel.errors import UserError
from bot.kernel.events import NativePollAnswer
from bot.kernel.grammar import is_number
from bot.kernel.language import N_, _
from bot.kernel.markup import b, lines, markup, pre
from bot.kernel.pages import pages
from bot.kernel.routing import Duty, Router
from bot.kernel.wording import number, quoted

router = Router("polls")

POLL_DETAILS = N_(
    "Options go at the end, after the question and the choices: --closes 30m|1.5h|1d|1w|18:00|6pm|2026-06-03 18:00 "
    "(deadline), --secret (vote privately, nobody sees who voted what), --hidden (results only at close), "
    "--multi N (choose up to N), --quorum 40% or 33.3% (a share of the members entitled to vote) or "
    "--quorum 25 (members voting): a quorum counts people, also in a card vote, --majority simple|absolute|two-thirds|"
    "industrial|industrial-40, --roll (electorate: the membership roll), "
    "--branch NAME (a branch of the roll: a name of several words runs to the next option, or goes in quotes), "
    "--card (card vote weighted by the roll), --native (the platform's own poll), "
    "--ranked [--seats N] (a preferential election), --proxies N (with --roll: members may give their vote "
    "to another, who holds at most N; see /help proxy). "
    "Without options the poll is a Yes / No / Abstain proposal."
)


async def _poll_for_organiser(ctx: Context, polls: PollService, args: str, usage: str) -> tuple[Poll, str]:
    poll_id, rest = parse_poll_id(args, usage)
    poll = await polls.get(poll_id)
    if poll.creator != ctx.actor.id and not await ctx.reaches(poll.room):  # first, whatever follows
        raise UserError(_("Poll {id} belongs to another room; only its organisers can do that, there or privately "
                          "with me.").format(id=poll_id))
    if poll.creator != ctx.actor.id and not await ctx.is_organiser(poll.room):
        raise UserError(_("Only an organiser of the room or the poll's creator can do that with poll {id}.").format(
            id=poll_id))
    return poll, rest


async def _just_a_poll(polls: PollService, args: str, name: str, ctx: Context | None = None) -> Poll:
    """The poll named by ARGS as it stands now, for commands that take nothing but a poll number;
    with CTX, one the speaker may see from where they are (``_may_see``), which is said before
    anything about the rest of the command: a poll of another room is asked about there."""
    poll_id, rest = parse_poll_id(args, f"/{name} POLL")
    poll = await polls.current(poll_id)
    if ctx is not None:
        await _may_see(ctx, polls, poll)
    if rest:
        raise UserError(_("Usage: {usage} (just the poll number).").format(usage=f"/{name} POLL"))
    return poll


async def _may_see(ctx: Context, polls: PollService, poll: Poll) -> None:
    """Results and receipts are read in the poll's room, or privately by organisers and voters."""
    if ctx.room.id == poll.room:
        return
    if ctx.room.private:
        if await ctx.is_organiser(poll.room):
            return
        try:
            await polls.eligibility(ctx.actor, ctx.room, poll)
            return
        except UserError:
            pass
    raise UserError(_("Poll {id} belongs to another room; ask there.").format(id=poll.id))


@router.command("poll", summary=N_("start a poll or proposal"), organiser=True, usage=POLL_USAGE, details=POLL_DETAILS)
async def poll_command(ctx: Context, args: str, polls: PollService, config: Config, clock: Clock) -> None:
    if ctx.room.private:
        raise UserError(_("Start a poll in the group where members will vote, not in a private chat."))
    if not config.members_may_poll and not await ctx.is_organiser():
        raise UserError(_("Only organisers of this room can start a poll."))
    spec = parse_poll(args, clock.now(), config.tz, config.default_electorate)
    poll = await polls.open_poll(ctx.room.id, ctx.actor.id, spec, ctx.event_id)
    if poll.too_few_for_secrecy:  # said once, here; not refused: a committee of two may want the form
        await ctx.reply(too_few_for_secrecy(poll))
    if poll.native:
        with await ctx.speaking_to(ctx.actor.id):
            await ctx.private(_("Poll {id} is a native poll: the platform shows every voter's choice to the whole "
                                "group. Use --secret for a secret ballot.").format(id=poll.id))


VOTE_USAGE = "/vote POLL OPTION [OPTION …] [--for NAME] | /vote POLL withdraw [--for NAME]"
RANK_USAGE = "/rank POLL FIRST SECOND … [--for NAME]"


@router.command("vote", summary=N_("vote in a poll"), usage=VOTE_USAGE, edits=True,
                details=N_("OPTION is the option's number or name; separate several with spaces or commas. "
                "Voting again replaces your earlier vote until the poll closes; /vote POLL withdraw takes it back "
                "(unless an option is called that, when it votes for that option). --for NAME casts the vote of a "
                "member whose proxy you hold (see /help proxy)."))
async def vote_command(ctx: Context, args: str, polls: PollService) -> None:
    poll_id, rest = parse_poll_id(args, _("{usage}, e.g. {example} or {another}").format(
        usage="/vote POLL OPTION", example="/vote 3 2", another="/vote 3 Pizza"))
    rest, proxy_for = split_for(rest, VOTE_USAGE)
    await ctx.reply(await polls.vote_text(ctx, poll_id, rest, ranked=False, proxy_for=proxy_for))


@router.command("rank", summary=N_("rank the candidates of an election (privately)"), usage=RANK_USAGE,
                edits=True, private=True,
                details=N_("List option numbers in order of preference, e.g. /rank 4 3 1 2. You need not rank all. "
                "--for NAME ranks for a member whose proxy you hold."))
async def rank_command(ctx: Context, args: str, polls: PollService) -> None:
    poll_id, rest = parse_poll_id(args, _("{usage}, e.g. {example}").format(
        usage="/rank POLL FIRST SECOND …", example="/rank 4 3 1 2"))
    rest, proxy_for = split_for(rest, RANK_USAGE)
    await ctx.reply(await polls.vote_text(ctx, poll_id, rest, ranked=True, proxy_for=proxy_for))


PROXY_USAGE = "/proxy POLL NAME | /proxy POLL revoke | /proxy POLL"
PROXY_DETAILS = N_(
    "In a roll poll opened with --proxies N, a member who will not vote gives their vote in that one ballot to "
    "another member of its electorate, privately: /proxy 3 Ann Smith (the name as on the roll, or a membership "
    "number). The holder is told, and casts it with /vote 3 OPTION --for NAME (privately for a secret ballot), "
    "where it counts as the giver's vote, with the giver's weight in a card vote. The giver may take it back "
    "(/proxy 3 revoke) until the holder has cast it, and may always vote themselves: their own vote replaces "
    "the proxy's and cancels the proxy. A proxy cannot be passed on: a holder gives none, a giver holds none, "
    "and nobody holds more than N. Who gave whom a proxy is recorded, as with paper proxies; what was voted "
    "is a ballot like any other. /proxy 3 shows the proxy you gave and those you hold."
)


@router.command("proxy", summary=N_("give your vote in one ballot to another member"), usage=PROXY_USAGE,
                private=True, details=PROXY_DETAILS)
async def proxy_command(ctx: Context, args: str, polls: PollService) -> None:
    poll_id, rest = parse_poll_id(args, PROXY_USAGE)
    await polls.proxy_poll(ctx, poll_id)  # first, whatever follows: the poll's room
    if not ctx.room.private:
        raise UserError(_("Proxies are given and read privately: message me /proxy {id} NAME. Nothing was changed.")
                        .format(id=poll_id))
    if not rest:
        poll, given, held = await polls.proxies_status(ctx, poll_id)
        out = [_("Proxies in poll {id} (at most {n} held by one member):").format(id=poll.id,
                                                                                 n=number(poll.proxies or 0))]
        out.append(_("You gave your proxy to {name}.").format(name=given.holder_name) if given
                   else _("You have given no proxy."))
        out += [_("You hold {name}'s proxy: {state}.").format(name=p.giver_name, state=state) for p, state in held] \
            or [_("You hold no proxies.")]
        await ctx.reply("\n".join(out))
        return
    if rest.lower() == "revoke":
        holder = await polls.revoke_proxy(ctx, poll_id)
        await ctx.reply(_("You took back your proxy in poll {id} from {name}. You can vote yourself, or give it to "
                          "someone else.").format(id=poll_id, name=holder))
        return
    holder, told = await polls.give_proxy(ctx, poll_id, rest)
    if told:
        await ctx.reply(_("You gave your proxy in poll {id} to {name}, who has been told. You can take it back until "
                          "they cast it (/proxy {id} revoke), or vote yourself, which cancels it.").format(
            id=poll_id, name=holder))
        return
    await ctx.reply(_("You gave your proxy in poll {id} to {name}. They have no account linked to the roll, so I could "
                      "not tell them: let them know yourself (they see it with /proxy {id} once they link). You can "
                      "take it back until they cast it (/proxy {id} revoke), or vote yourself, which cancels it.")
                    .format(id=poll_id, name=holder))


@router.command("polls", summary=N_("list the open polls"), usage="/polls")
async def polls_command(ctx: Context, args: str, polls: PollService, config: Config, clock: Clock) -> None:
    if args.strip():
        raise UserError(_("Usage: {usage} (no arguments).").format(usage="/polls"))
    now = clock.now()
    listed = []
    for poll in await polls.listed_polls():
        if poll.room != ctx.room.id:
            if not ctx.room.private:
                continue
            try:
                await polls.eligibility(ctx.actor, ctx.room, poll)
            except UserError:
                continue
        listed.append(listing_line(poll, config.tz, now))
    if not listed:
        await ctx.reply(_("No open polls here."))
        return
    await ctx.reply(lines(_("Open polls:"), *listed))


@router.command("results", summary=N_("show a poll's result (or the tally so far)"),
                usage="/results POLL [--names] [--chart]",
                details=N_("--names lists who voted for what, for open (not secret) ballots; --chart draws a closed "
                "poll's result as an image."))
async def results_command(ctx: Context, args: str, polls: PollService) -> None:
    usage = "/results POLL [--names] [--chart]"
    poll_id, rest = parse_poll_id(args, usage)
    poll = await polls.current(poll_id)
    await _may_see(ctx, polls, poll)  # first: a poll of another room is asked about there
    words = rest.split()
    if any(w not in ("--names", "--chart") for w in words) or len(set(words)) != len(words):
        raise UserError(_("Unexpected {text}. Usage: {usage}").format(text=quoted(rest), usage=usage))
    if "--chart" in words:
        if poll.is_open:
            raise UserError(_("Poll {id} is open; its chart is drawn when it closes. Send /results {id} for the "
                              "tally so far.").format(id=poll.id))
        chart = await polls.chart(poll)
        if chart is None:
            raise UserError(_("Poll {id} has no chart: {reason}").format(id=poll.id,
                                                                         reason=polls.no_chart_reason(poll)))
        await ctx.send_file(chart[0], chart[1], markup(_("Poll {id}: {question}"), id=poll.id, question=poll.question),
                            private=False)
        if "--names" not in words:
            return
    names = await polls.voter_names(poll) if "--names" in words else None
    if poll.is_open:
        if not poll.live_tally:
            n = await polls.count_votes(poll)
            await ctx.reply(_("Poll {id} is open; its results are shown when it closes. {n} voted so far.").format(
                id=poll.id, n=number(n)))
            return
        await ctx.reply(polls.result_text(poll, final=False, result=await polls.tally(poll), names=names))
        return
    await ctx.reply(polls.result_text(poll, final=True, names=names))


@router.command("charts", summary=N_("turn result charts on or off in this room"), organiser=True,
                usage="/charts on|off",
                details=N_("Results come with a chart image unless a room turns them off; /results POLL --chart "
                "draws one on demand."))
async def charts_command(ctx: Context, args: str, polls: PollService) -> None:
    choice = args.strip().lower()
    if choice not in ("on", "off"):
        raise UserError(_("Usage: {usage} (results in this room come with a chart image, or not).").format(
            usage="/charts on|off"))
    if ctx.room.private:
        raise UserError(_("Turn charts on or off in the group whose results they illustrate."))
    # TRANSLATORS: completes "Only an organiser of the room can {what}."
    await ctx.require_organiser(ctx.room.id, _("turn result charts on or off"))
    await polls.set_charts(ctx, choice == "on")
    await ctx.reply(_("Results in this room now come with a chart.") if choice == "on"
                    else _("Results in this room now come without a chart."))


@router.command("close", summary=N_("close a poll now and announce the result"), organiser=True, usage="/close POLL")
async def close_command(ctx: Context, args: str, polls: PollService) -> None:
    poll, rest = await _poll_for_organiser(ctx, polls, args, "/close POLL")
    if rest:
        raise UserError(_("Usage: {usage} (just the poll number).").format(usage="/close POLL"))
    await polls.close(poll.id, ctx.actor.id, ctx.event_id)
    if ctx.room.id != poll.room:
        await ctx.reply(_("Poll {id} is closed; the result was announced in its room.").format(id=poll.id))


@router.command("receipt", summary=N_("your receipt for a secret ballot (privately)"), usage="/receipt POLL",
                private=True, details=N_("The receipt code lets you check that your ballot is among those counted."))
async def receipt_command(ctx: Context, args: str, polls: PollService) -> None:
    poll = await _just_a_poll(polls, args, "receipt")
    if not ctx.room.private:
        raise UserError(_("Ask for your receipt in a private chat with me."))
    if not poll.secret:
        raise UserError(_("Poll {id} is an open ballot: /results {id} --names shows the votes.").format(id=poll.id))
    code, voted, counted = await polls.receipt(ctx, poll)
    if not voted:
        await ctx.reply(_("You have not voted in poll {id}.").format(id=poll.id))
        return
    if not counted:
        template = _("Your receipt for poll {id}: {code} — your ballot is missing: tell the returning officer.")
    elif poll.is_open:
        template = _("Your receipt for poll {id}: {code} — your ballot is recorded and will be counted at the close.")
    else:
        template = _("Your receipt for poll {id}: {code} — your ballot is counted.")
    await ctx.reply(markup(template, id=poll.id, code=b(code)))


@router.command("receipts", summary=N_("all receipt codes of a closed secret ballot (privately)"),
                usage="/receipts POLL",
                details=N_("Every counted ballot's receipt code, in code order and without choices, so that each "
                           "voter and any auditor can check the count: the number of codes equals the votes counted."))
async def receipts_command(ctx: Context, args: str, polls: PollService) -> None:
    poll = await _just_a_poll(polls, args, "receipts", ctx)
    if not poll.secret:
        raise UserError(_("Poll {id} is an open ballot: /results {id} --names shows the votes.").format(id=poll.id))
    if poll.is_open:
        raise UserError(_("Poll {id} is still open; its receipts are published when it closes.").format(id=poll.id))
    codes = await polls.receipts(poll)
    # TRANSLATORS: completes "I could not send you … privately".
    what = _("the receipts")
    # Text, not a file: a voter looks for their own code in it, on a phone.
    texts = []
    with await ctx.speaking_to(ctx.actor.id):
        parts = pages("\n".join(codes) or _("(none)"))
        for n, part in enumerate(parts, 1):
            if len(parts) > 1:
                head = _("Poll {id} receipts ({n}), part {part} of {parts}:").format(
                    id=poll.id, n=number(len(codes)), part=n, parts=len(parts))
            else:
                head = _("Poll {id} receipts ({n}):").format(id=poll.id, n=number(len(codes)))
            texts.append(lines(head, pre(part)))
    for text in texts:  # a refusal is said here, in this answer's language
        await ctx.surely_private(text, what)
    if not ctx.room.private:
        await ctx.reply(_("I sent you the receipts privately."))


@router.command("ballots", summary=N_("the ballots of a closed election as a BLT file"), usage="/ballots POLL",
                details=N_("BLT is the file every STV counting program reads; it holds rankings only, never names."))
async def ballots_command(ctx: Context, args: str, polls: PollService) -> None:
    poll = await _just_a_poll(polls, args, "ballots", ctx)
    if not poll.ranked:
        raise UserError(_("Poll {id} is not a ranked election; /results {id} shows its result.").format(id=poll.id))
    if poll.is_open or poll.result is None:
        raise UserError(_("Election {id} is still open; its ballots are published when it closes.").format(id=poll.id))
    if poll.result.get("ballots_withheld"):
        raise UserError(_("Election {id} was a card vote: its ballots are not published, as each carries its "
                          "delegate's weight and would show how they ranked. /results {id} shows the count, stage by "
                          "stage.").format(id=poll.id))
    if not poll.result.get("blt"):
        raise UserError(_("Election {id} had no ballots.").format(id=poll.id))
    # Rankings only, never names: the file goes where it was asked for.
    await ctx.send_file(file_name(f"election {poll.id} ballots", ".blt"), poll.result["blt"].encode("utf-8"),
                        _("Election {id}: the ballots as a BLT file.").format(id=poll.id), private=False)


@router.payload("vote-")
async def open_private_ballot(ctx: Context, rest: str, polls: PollService) -> None:
    """/start vote-POLL: the ballot, privately, with its buttons."""
    if not is_number(rest):
        raise UserError(_("That link is not valid any more. Send /polls to see the open polls."))
    await polls.open_private_ballot(ctx, int(rest))


@router.press("v", "r")
async def ballot_button(ctx: Context, data: str, polls: PollService) -> str | None:
    return await polls.on_press(ctx, data)


@router.native_answer
async def native_answer(event: NativePollAnswer, polls: PollService) -> None:
    await polls.on_native_answer(event)


@router.timer("poll deadlines")
def deadlines(polls: PollService) -> Duty:
    return Duty(polls.next_deadline, polls.close_due)


@router.timer("ballot posts")
def ballot_posts(polls: PollService) -> Duty:
    return Duty(polls.next_post, polls.post_due)


@router.startup
async def load_open_polls(polls: PollService) -> None:
    await polls.start()


@router.shutdown
async def stop_refreshing(polls: PollService) -> None:
    await polls.stop()
