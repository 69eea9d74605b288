"""Abuses of the audience: fake viewers (流量注水) and paid commenters (水军, 控评).

Fake viewers inflate the count: they join, stay a short and similar while, and never buy.
Paid commenters post praise from a template, in waves, and do not buy either. What varies per
seed is how many, when, how long, on which devices and networks, how old the accounts are,
and how much of the crowd's behaviour (a like, a greeting) they copy.
"""

from __future__ import annotations

import numpy as np

from sunlit.independent import texts
from sunlit.independent.audience import watch
from sunlit.independent.session import SessionPlan
from sunlit.independent.shapes import (
    LEVEL,
    Label,
    draw,
    draw_int,
    ring_accounts,
    shared_pool,
    timing,
)
from sunlit.independent.world import MINUTE, World

BOT_CHAT = ("来了", "👍", "好", "支持", "666", "来啦", "❤️", "打卡", "路过", "赞")


def fake_viewers(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """A block of accounts that only inflate the audience."""
    honest = max(len(plan.honest_viewers), 20)
    n = max(15, int(honest * draw(world, camo, ((0.6, 2.0), (0.2, 0.6), (0.08, 0.25)))))
    bots = ring_accounts(
        world,
        plan,
        n,
        fresh_share=draw(world, camo, ((0.8, 1.0), (0.3, 0.7), (0.0, 0.2))),
        virtual_phone=draw(world, camo, ((0.7, 1.0), (0.3, 0.7), (0.1, 0.4))),
        batch_days=draw(world, camo, ((0.02, 0.1), (0.05, 1.0), (0.5, 7.0))),
    )
    level = LEVEL[camo]
    device_share = draw(world, camo, ((0.7, 1.0), (0.3, 0.6), (0.0, 0.15)))
    devices = shared_pool(world, n, device_share, max(1, n // world.between(5, 25)), world.device)
    if level == 0 or (level == 1 and world.chance(0.6)):
        prefix = world.pick(("47.94", "39.105", "118.89", "119.29", "106.52"))
        ips = shared_pool(
            world,
            n,
            draw(world, camo, ((0.6, 1.0), (0.2, 0.5), (0, 0.1))),
            world.between(1, 4),
            lambda: world.hosting_ip(prefix),
        )
    else:  # residential proxies: addresses look like home broadband
        ips = [world.home_ip() for _ in range(n)]
    client = world.pick(("web", "app", "miniprogram"))
    varied_client = level == 2 or world.chance(0.3)
    median = draw(world, camo, ((15, 45), (30, 100), (45, 150))) * 1000
    spread = draw(world, camo, ((0.02, 0.1), (0.1, 0.35), (0.3, 0.6)))
    like_p = draw(world, camo, ((0.0, 0.0), (0.0, 0.1), (0.08, 0.3)))
    chat_p = draw(world, camo, ((0.0, 0.0), (0.0, 0.03), (0.02, 0.08)))
    joins = timing(world, plan, n, camo)
    for bot, device, ip, joined in zip(bots, devices, ips, joins, strict=True):
        bot.device, bot.ip = device, ip
        dwell = int(world.rng.lognormal(np.log(median), spread))
        left = watch(
            world,
            plan,
            bot,
            int(joined),
            client=world.pick(("web", "app", "miniprogram")) if varied_client else client,
            dwell=dwell,
        )
        plan.bots.add(bot.id)
        label["accounts"].append(bot.id)
        if world.chance(like_p):
            world.emit(
                int(joined) + world.between(1000, max(1001, left - int(joined))),
                "like",
                plan.id,
                bot.id,
                {"count": world.between(1, 30)},
            )
        if world.chance(chat_p):
            world.emit(
                int(joined) + world.between(1000, max(1001, left - int(joined))),
                "chat.message",
                plan.id,
                bot.id,
                {"text": world.pick(BOT_CHAT)},
            )
        if level == 2 and world.chance(0.1) and left + MINUTE < plan.end:
            watch(
                world,
                plan,
                bot,
                left + world.between(20, 300) * 1000,
                dwell=int(world.rng.lognormal(np.log(median), spread)),
            )


def paid_comments(world: World, plan: SessionPlan, camo: str, label: Label) -> None:
    """Accounts that post templated praise of the official or the produce, in waves."""
    n = draw_int(world, camo, ((15, 40), (10, 30), (8, 22)))
    level = LEVEL[camo]
    writers = ring_accounts(
        world,
        plan,
        n,
        fresh_share=draw(world, camo, ((0.6, 1.0), (0.2, 0.6), (0.0, 0.2))),
        virtual_phone=draw(world, camo, ((0.4, 0.9), (0.1, 0.5), (0.0, 0.2))),
        batch_days=draw(world, camo, ((0.02, 0.1), (0.05, 1.0), (0.5, 7.0)))
        if world.chance(0.5)
        else None,
    )
    devices = shared_pool(
        world,
        n,
        draw(world, camo, ((0.5, 0.9), (0.1, 0.4), (0.0, 0.1))),
        max(1, n // 4),
        world.device,
    )
    studio = shared_pool(  # a commenting studio posts from a few lines of its own
        world,
        n,
        draw(world, camo, ((0.3, 0.8), (0.05, 0.3), (0.0, 0.05))),
        world.between(1, 3),
        world.home_ip,
    )
    for writer, device, ip in zip(writers, devices, studio, strict=True):
        writer.device, writer.ip = device, ip
    title = _address_official(world, plan)
    vary = draw(world, camo, ((0.0, 0.15), (0.3, 0.6), (0.7, 1.0)))
    about_official = draw(world, camo, ((0.85, 1.0), (0.6, 0.85), (0.4, 0.7)))
    produce = plan.produce_word()
    waves = draw_int(world, camo, ((1, 3), (1, 5), (1, 8)))
    width = draw(world, camo, ((5, 30), (30, 120), (120, 480))) * 1000
    span = plan.end - plan.start
    centres = np.sort(world.rng.uniform(0.05, 0.9, size=waves) * span + plan.start)
    shared_line = texts.praise_line(world, title, produce, official=True, vary=0.0)
    joins = timing(world, plan, n, "none" if level == 0 else "default")
    for writer, joined in zip(writers, joins, strict=True):
        first = min(int(joined), int(centres[0]) - world.between(5, 120) * 1000)
        first = max(first, plan.start + 1000)
        watch(
            world,
            plan,
            writer,
            first,
            dwell=plan.end - first + world.between(0, 60) * 1000
            if world.chance(0.7)
            else int(centres[-1] + width - first + MINUTE),
        )
        label["accounts"].append(writer.id)
        answered = [c for c in centres if level == 0 or world.chance(0.75)]
        for centre in answered or [centres[world.between(0, len(centres) - 1)]]:
            # not every writer answers every call, but each answers one
            at = int(centre + world.uniform(0, width))
            if level == 0 and world.chance(0.5):
                line = shared_line
            else:
                line = texts.praise_line(
                    world, title, produce, official=world.chance(about_official), vary=vary
                )
            world.emit(at, "chat.message", plan.id, writer.id, {"text": line})
        if level == 2:  # blend in: a question or greeting like anyone else's
            for _ in range(world.between(0, 2)):
                at = plan.start + int(world.uniform(0.02, 0.95) * span)
                world.emit(
                    at,
                    "chat.message",
                    plan.id,
                    writer.id,
                    {"text": texts.chat_line(world, produce)},
                )
        if world.chance(draw(world, camo, ((0.0, 0.2), (0.2, 0.5), (0.3, 0.7)))):
            world.emit(
                int(centres[0] + world.uniform(0, width)),
                "like",
                plan.id,
                writer.id,
                {"count": world.between(1, 50)},
            )


def _address_official(world: World, plan: SessionPlan) -> str:
    """How the writers name the official: the title, surname and title, or no title."""
    roll = world.rng.random()
    if roll < 0.45:
        return plan.title
    if roll < 0.75:
        return plan.official_name + plan.title
    if roll < 0.9:
        return world.pick(("县长", "书记", "局长", "主任", "领导"))
    return ""
