"""The live room's pure rules (``sunlit.live.model``), without a server: the client protocol and
every malformed message, the chat checks and blocked words, the sliding chat allowance, timed
offers, viewer tickets and the WebSocket frame header (checked against RFC 6455 §5.2)."""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sunlit.live.model import (
    MAX_LIKES_PER_MESSAGE,
    SHARE_CHANNELS,
    Allowance,
    Chat,
    Heartbeat,
    Like,
    Pin,
    Refusal,
    Share,
    Ticket,
    blocked_words,
    check_chat,
    current_pin,
    encode_batch,
    parse_client,
    read_ticket,
    sign_ticket,
    text_frame,
)
from sunlit.settings import Settings

# --- parse_client ----------------------------------------------------------------------------


def test_every_message_kind_is_understood() -> None:
    assert parse_client('{"t": "chat", "text": "梨子甜不甜？"}') == Chat("梨子甜不甜？")
    assert parse_client('{"t": "chat", "text": ""}') == Chat("")  # empty is check_chat's call
    assert parse_client('{"t": "like", "n": 3}') == Like(3)
    assert parse_client('{"t": "like"}') == Like(1)
    assert parse_client('{"t": "like", "n": 1}') == Like(1)
    assert parse_client(f'{{"t": "like", "n": {MAX_LIKES_PER_MESSAGE}}}') == Like(50)
    for channel in SHARE_CHANNELS:
        assert parse_client(json.dumps({"t": "share", "channel": channel})) == Share(channel)
    assert parse_client('{"t": "hb"}') == Heartbeat()
    assert parse_client('{"t": "hb", "extra": [1, 2]}') == Heartbeat()  # extra fields ignored
    assert parse_client(json.dumps({"t": "chat", "text": "x", "id": "forged"})) == Chat("x")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "hello",
        "{",
        '{"t": "chat", "text": "unterminated}',
        "{'t': 'chat'}",  # single quotes are not JSON
        "\x00",
        "[]",
        '[{"t": "chat", "text": "hi"}]',  # an array, even of a valid message
        '"chat"',
        "42",
        "null",
        "true",
        "NaN",
    ],
)
def test_what_is_not_a_json_object_is_not_json(raw: str) -> None:
    assert parse_client(raw) is Refusal.NOT_JSON


@pytest.mark.parametrize("depth", [1_000, 4_000])
def test_deeply_nested_json_is_refused_not_raised(depth: int) -> None:
    """A frame is at most 8 KiB, enough for thousands of nested brackets: the parser must
    answer not_json, not let a RecursionError escape into the socket's callback."""
    assert parse_client("[" * depth + "]" * depth) is Refusal.NOT_JSON
    assert parse_client('{"t":' * depth) is Refusal.NOT_JSON


@pytest.mark.parametrize(
    "raw",
    [
        "{}",
        '{"text": "no type"}',
        '{"t": "shout", "text": "hi"}',
        '{"t": "CHAT", "text": "hi"}',
        '{"t": " chat", "text": "hi"}',
        '{"t": null}',
        '{"t": 1}',
        '{"t": ["chat"]}',
        '{"t": {"chat": 1}}',
        '{"type": "chat", "text": "hi"}',
    ],
)
def test_an_unknown_type_is_named_as_such(raw: str) -> None:
    assert parse_client(raw) is Refusal.UNKNOWN_TYPE


@pytest.mark.parametrize(
    "message",
    [
        {"t": "chat"},
        {"t": "chat", "text": None},
        {"t": "chat", "text": 5},
        {"t": "chat", "text": ["hi"]},
        {"t": "chat", "text": {"zh": "hi"}},
        {"t": "chat", "text": True},
        {"t": "like", "n": 0},
        {"t": "like", "n": -1},
        {"t": "like", "n": MAX_LIKES_PER_MESSAGE + 1},
        {"t": "like", "n": 10**30},
        {"t": "like", "n": True},
        {"t": "like", "n": False},
        {"t": "like", "n": 2.0},
        {"t": "like", "n": "3"},
        {"t": "like", "n": None},
        {"t": "like", "n": [3]},
        {"t": "share"},
        {"t": "share", "channel": None},
        {"t": "share", "channel": "facebook"},
        {"t": "share", "channel": "WeChat"},
        {"t": "share", "channel": ""},
        {"t": "share", "channel": ["wechat"]},
        {"t": "share", "channel": {"wechat": 1}},
        {"t": "share", "channel": 1},
    ],
)
def test_a_wrong_field_is_a_bad_field(message: dict[str, object]) -> None:
    assert parse_client(json.dumps(message)) is Refusal.BAD_FIELD


# --- check_chat --------------------------------------------------------------------------------

DEFAULT_BLOCKED = blocked_words(Settings.model_fields["live_blocked_words"].default)


def chat(text: str, *, max_chars: int = 200) -> tuple[str, Refusal | None]:
    return check_chat(text, max_chars=max_chars, blocked=DEFAULT_BLOCKED)


def test_a_plain_message_is_shown_trimmed_and_composed() -> None:
    assert chat("  梨子甜不甜？ ") == ("梨子甜不甜？", None)
    assert chat("cafe\u0301") == ("café", None)  # NFC: one character, as it is shown
    assert chat("第一行\n第二行") == ("第一行\n第二行", None)


@pytest.mark.parametrize("text", ["", " ", "\n\t ", "\u3000\u3000"])
def test_an_empty_message_is_refused(text: str) -> None:
    assert chat(text)[1] is Refusal.EMPTY


def test_the_length_limit_counts_characters_after_trimming() -> None:
    assert chat("梨" * 200) == ("梨" * 200, None)
    assert chat("  " + "梨" * 200 + "  ")[1] is None
    assert chat("梨" * 201)[1] is Refusal.TOO_LONG
    assert chat("a" * 11, max_chars=10)[1] is Refusal.TOO_LONG
    # a decomposed accent is composed first: 10 letters with accents are 10 characters
    assert chat("e\u0301" * 10, max_chars=10)[1] is None


@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb", "bell\x07", "a\x7fb", "a\x08b"])
def test_control_characters_are_a_bad_field(text: str) -> None:
    assert chat(text)[1] is Refusal.BAD_FIELD


@pytest.mark.parametrize(
    "text",
    [
        "加微信 abc123",
        "快加微信啊",
        "加 微 信",
        "加-微-信",
        "加.微.信!",
        "加\u200b微\u200b信",  # zero-width spaces between the characters
        "加vx",
        "加VX",
        "加Ｖｘ",  # full-width letters
        "加ＶＸ",
        "加 Ｖ·Ｘ",
        "加v信",
        "加Ｖ信",
        "私聊返现哦",
        "招刷单兼职",
        "傻逼",
        "傻　逼",  # an ideographic space
        "傻*逼",
        "操你",
    ],
)
def test_blocked_words_are_found_however_they_are_dressed(text: str) -> None:
    assert chat(text)[1] is Refusal.BLOCKED_WORD


@pytest.mark.parametrize(
    "text",
    [
        "价格太贵了",
        "这是刷单吧?",
        "这是刷单吧？",
        "去年买的梨子是坏的，差评",
        "假的吧，跟视频里不一样",
        "主播收了多少钱？",
        "物流太慢了，一个星期才到",
        "质量不行，不推荐",
        "微信支付可以吗？",  # 微信 alone is not a lure
        "vx",
    ],
)
def test_criticism_is_not_blocked_by_the_default_list(text: str) -> None:
    assert chat(text) == (text, None)


def test_blocked_words_from_the_setting_are_normalised() -> None:
    words = blocked_words(" 加ＶＸ , ,Spam-Link,,私聊 返现 ")
    assert words == ("加vx", "spamlink", "私聊返现")
    assert check_chat("SPAM link here", max_chars=200, blocked=words)[1] is Refusal.BLOCKED_WORD
    assert check_chat("no spam here", max_chars=200, blocked=words)[1] is None
    assert blocked_words("") == () and blocked_words(" , ,") == ()


# --- Allowance ----------------------------------------------------------------------------------


def test_the_allowance_is_a_sliding_window() -> None:
    allowance = Allowance(limit=5, window=10)
    assert [allowance.take(t) for t in (0, 1, 2, 3, 4)] == [True] * 5
    assert not allowance.take(5)
    assert not allowance.take(9.999)  # the first is still within 10 s
    assert allowance.take(10.0)  # exactly 10 s later the first has left the window
    assert not allowance.take(10.5)
    assert allowance.take(11.0)  # the second (t=1) has left
    assert not allowance.take(11.0)


def test_refused_attempts_do_not_count_against_the_sender() -> None:
    allowance = Allowance(limit=2, window=1)
    assert allowance.take(0) and allowance.take(0.1)
    for t in (0.2, 0.3, 0.4, 0.5, 0.9):
        assert not allowance.take(t)
    assert allowance.take(1.0)
    assert allowance.take(1.1)
    assert not allowance.take(1.2)


def test_a_quiet_sender_gets_the_whole_allowance_back() -> None:
    allowance = Allowance(limit=3, window=10)
    assert all(allowance.take(t) for t in (0, 0, 0))
    assert not allowance.take(1)
    assert all(allowance.take(t) for t in (100, 100, 100))
    assert not allowance.take(100)
    assert len(allowance.sent) == 3


# --- current_pin --------------------------------------------------------------------------------

NOON = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def test_a_timed_offer_presents_its_product_until_its_end() -> None:
    offer = Pin("pear", NOON + timedelta(minutes=5))
    assert current_pin(offer, NOON) == offer
    assert current_pin(offer, NOON + timedelta(minutes=5) - timedelta(microseconds=1)) == offer
    assert current_pin(offer, NOON + timedelta(minutes=5)) == Pin(None)
    assert current_pin(offer, NOON + timedelta(minutes=6)) == Pin(None)


def test_a_pin_without_a_timer_stays_and_nothing_stays_nothing() -> None:
    assert current_pin(Pin("pear"), NOON + timedelta(days=365)) == Pin("pear")
    assert current_pin(Pin(None), NOON) == Pin(None)
    assert current_pin(Pin(None, NOON), NOON + timedelta(hours=1)).product is None


# --- tickets ------------------------------------------------------------------------------------

SECRET = "test-secret-key-that-is-long-enough-0123456789"
NOW = 1_800_000_000.0
TICKET = Ticket(
    session="plan_0123456789",
    viewer="v-abcdefghijklmnop",
    account="acc_42",
    name='李梅 "Mei" <b>',
    language="en",
    expires=int(NOW) + 3600,
    moderator=True,
    nonce="n-Jq3v0dT2x9KbLs",
)


def test_a_ticket_round_trips() -> None:
    token = sign_ticket(TICKET, SECRET)
    assert token.isascii() and "=" not in token
    assert read_ticket(token, SECRET) == TICKET
    anonymous = replace(TICKET, account=None, name="", moderator=False, language="zh")
    assert read_ticket(sign_ticket(anonymous, SECRET), SECRET) == anonymous


def test_a_ticket_is_good_until_it_expires() -> None:
    assert not TICKET.expired(TICKET.expires)
    assert TICKET.expired(TICKET.expires + 1)


def _body(token: str) -> list[object]:
    encoded = token.partition(".")[0]
    decoded: list[object] = json.loads(
        base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    )
    return decoded


def _encode(fields: list[object]) -> str:
    raw = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_tampered_body_is_refused() -> None:
    token = sign_ticket(TICKET, SECRET)
    mac = token.partition(".")[2]
    fields = _body(token)
    for index, value in [
        (0, "plan_other"),
        (2, "acc_admin"),
        (5, 2_000_000_000),
        (6, 1),
        (7, "n-another"),
    ]:
        changed = list(fields)
        changed[index] = value
        if changed == fields:
            continue
        assert read_ticket(_encode(changed) + "." + mac, SECRET) is None
    assert read_ticket(_encode(fields) + "." + mac, SECRET) == TICKET  # control


def test_a_tampered_mac_or_another_secret_is_refused() -> None:
    token = sign_ticket(TICKET, SECRET)
    body, _, mac = token.partition(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    assert read_ticket(f"{body}.{flipped}", SECRET) is None
    assert read_ticket(f"{body}.{mac[:-1]}", SECRET) is None
    assert read_ticket(f"{body}.", SECRET) is None
    assert read_ticket(body, SECRET) is None
    assert read_ticket(token, SECRET + "x") is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "..",
        "garbage",
        "a.b.c",
        "%%%.###",
        "eyJ9.x",
        "票.abc",
        "abc.票",  # a non-ASCII mac (the query string is percent-decoded UTF-8)
        "eyJ0IjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAA",
        "\x00.\x00",
    ],
)
def test_garbage_is_no_ticket(token: str) -> None:
    assert read_ticket(token, SECRET) is None


def test_a_signed_body_of_the_wrong_shape_is_no_ticket() -> None:
    """Even with a valid mac (only the server can make one), a body that is not the eight
    fields is refused rather than raised."""
    from sunlit.live.model import _mac

    for body in (b"[]", b"[1,2,3]", b'{"a":1}', b"not json"):
        token = base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + _mac(SECRET, body)
        assert read_ticket(token, SECRET) is None


# --- frames -------------------------------------------------------------------------------------


def decode_header(frame: bytes) -> tuple[bool, int, bool, int, int]:
    """FIN, opcode, MASK, payload length and header size, read as RFC 6455 §5.2 says."""
    first, second = frame[0], frame[1]
    fin, opcode = bool(first & 0x80), first & 0x0F
    assert first & 0x70 == 0, "RSV1-3 must be 0 without an extension"
    masked, length = bool(second & 0x80), second & 0x7F
    if length < 126:
        return fin, opcode, masked, length, 2
    if length == 126:
        (size,) = struct.unpack("!H", frame[2:4])
        assert size >= 126, "the minimal number of bytes must be used"
        return fin, opcode, masked, size, 4
    (size,) = struct.unpack("!Q", frame[2:10])
    assert size >> 63 == 0, "the most significant bit must be 0"
    assert size >= 1 << 16, "the minimal number of bytes must be used"
    return fin, opcode, masked, size, 10


@pytest.mark.parametrize(
    ("size", "header"), [(0, 2), (1, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (70000, 10)]
)
def test_a_text_frame_has_the_header_rfc_6455_asks_for(size: int, header: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = text_frame(payload)
    fin, opcode, masked, length, header_size = decode_header(frame)
    assert (fin, opcode, masked) == (True, 0x1, False)  # final, text, unmasked (server→client)
    assert length == size and header_size == header
    assert frame[header_size:] == payload
    assert len(frame) == header + size


def test_a_batch_is_one_json_array_in_one_frame() -> None:
    messages = [{"t": "chat", "text": "梨子甜"}, {"t": "likes", "total": 3}]
    frame = text_frame(encode_batch(messages))
    *_, length, header = decode_header(frame)
    assert json.loads(frame[header : header + length].decode("utf-8")) == messages
