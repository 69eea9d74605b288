"""Chinese text for chat, complaints, reviews and reports, composed from parts.

Honest viewers talk about the produce: taste, size, delivery, price, packaging; they greet, they
complain about the stream or an earlier order. Paid commenters praise the official (or the
produce) from a template, paraphrased so that no two lines need be identical.
"""

from __future__ import annotations

from sunlit.independent.world import World

GREETINGS = (
    "主播好",
    "大家晚上好",
    "来了来了",
    "老乡们好",
    "第一次看政府直播",
    "刚进来",
    "晚上好呀",
    "打卡",
    "又见面了",
    "下班来看看",
    "从外地来支持家乡",
    "哈喽",
    "来捧场了",
    "带孩子一起看",
    "老家人来了",
)
OFFICIAL_GREETINGS = ("{t}好", "{t}晚上好", "{t}辛苦了", "欢迎{t}", "{t}也来直播啦")
CITIES = (
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "郑州",
    "长沙",
    "重庆",
    "天津",
    "青岛",
    "厦门",
    "沈阳",
    "昆明",
    "合肥",
    "哈尔滨",
    "乌鲁木齐",
)
TASTE = (
    "{p}甜不甜",
    "{p}酸吗",
    "口感怎么样",
    "是脆的还是面的",
    "能放几天",
    "水分足不足",
    "和去年的比哪个好吃",
    "有没有打药",
    "是今年的新货吗",
    "小孩能吃吗",
    "{p}怎么保存",
    "冰箱里能放多久",
    "吃起来渣多吗",
    "是当天摘的吗",
    "有籽吗",
    "皮薄不薄",
)
DELIVERY = (
    "发什么快递",
    "几天能到{c}",
    "包邮吗",
    "偏远地区发不发",
    "新疆能发吗",
    "今天下单什么时候发货",
    "{c}几天能收到",
    "顺丰还是中通",
    "能指定快递吗",
    "坏果包赔吗",
    "周末发货吗",
    "能送到村里吗",
    "运费多少",
)
PRICE = (
    "多少钱一斤",
    "有优惠吗",
    "比超市便宜吗",
    "能不能便宜点",
    "有满减吗",
    "第二件有优惠吗",
    "这个价格含运费吗",
    "{p}怎么卖",
    "和链接里的价格一样吗",
    "团购有价吗",
    "老客户有折扣吗",
)
SIZE = (
    "果子多大",
    "单果多重",
    "有没有大果",
    "是几两一个的",
    "大小均匀吗",
    "一箱几个",
    "净重还是毛重",
    "5斤是带箱的吗",
    "有没有小一点的规格",
)
PACKAGING = (
    "包装结实吗",
    "会不会压坏",
    "有礼盒装吗",
    "送人合适吗",
    "是泡沫箱吗",
    "每个都有网套吗",
    "能不能不要礼盒便宜点",
    "能写贺卡吗",
)
COMPLAINTS = (
    "上次买的有几个坏了",
    "物流太慢了",
    "上回收到的偏小",
    "客服不回消息",
    "卡顿了",
    "声音听不清",
    "画面卡住了",
    "链接点不开",
    "怎么又涨价了",
    "上次的退款还没到",
    "库存显示没了",
    "付款一直失败",
)
STATEMENTS = (
    "已下单",
    "已拍两箱",
    "买过了很好吃",
    "老家的味道",
    "支持家乡",
    "回购第三次了",
    "给爸妈买的",
    "给同事带一箱",
    "去年买过不错",
    "刚付款了",
    "拍了一份尝尝",
    "买了送客户",
    "等发货",
    "{p}是真好吃",
    "孩子爱吃{p}",
)
CHATTER = (
    "画面好清楚",
    "背景是果园吗",
    "辛苦了",
    "今年收成怎么样",
    "农民伯伯辛苦了",
    "天气好冷啊",
    "这里风景真好",
    "看着就想吃",
    "我老家也种这个",
    "小时候常吃",
    "哈哈哈",
    "有意思",
    "👍",
    "❤️",
    "666",
)
OPENERS = ("", "", "", "请问", "想问下", "主播", "问一下", "老师", "你好，")
CLOSERS = ("", "", "", "？", "?", "呀", "啊", "哈", "😊", "～", "吗", "呢")

PRAISE_OFFICIAL = (
    "{t}{d}帅了",
    "{t}{d}接地气了",
    "{l}为{t}点赞",
    "{t}真是人民的好干部",
    "{t}辛苦了",
    "跟着{t}买就对了",
    "{t}讲得{d}好了",
    "{t}{d}亲民了",
    "{t}为老百姓办实事",
    "有这样的{t}是我们的福气",
    "{t}是我们的骄傲",
    "{t}{d}有亲和力了",
    "{l}支持{t}",
    "{t}带货第一名",
    "{t}最棒",
    "{t}{d}用心了",
    "谢谢{t}",
    "{t}{d}会说了",
    "{l}给{t}打call",
)
PRAISE_PRODUCE = (
    "{p}{d}好吃了",
    "{p}品质一流",
    "家乡的{p}就是棒",
    "{p}全国第一",
    "这{p}绝了",
    "吃过最好的{p}",
    "{l}支持{p}",
    "{p}甜到心里",
    "{p}{d}香了",
)
DEGREE = ("太", "真", "好", "特别", "超级", "实在是", "非常", "简直太")
LEAD = ("真心", "必须", "一定要", "强烈", "大家一起")
EMOJI = ("👍", "❤️", "🌹", "👏", "💪", "🎉", "😍", "🔥", "")
BANGS = ("", "！", "！！", "！！！", "~", "。", "!!")

QUALITY_COMPLAINTS = (
    "收到烂了好几个",
    "个头很小跟直播说的不一样",
    "有股怪味",
    "发霉了",
    "一半都是坏的",
    "口感很差不甜",
    "全是小果",
    "放了两天就烂了",
    "里面有虫",
    "颜色发黑不新鲜",
    "干瘪没有水分",
    "跟直播里展示的完全不是一个东西",
    "吃了拉肚子",
    "茶叶碎末很多",
    "有陈味像去年的",
)
OTHER_COMPLAINTS = {
    "logistics": ("快递一周才到", "物流信息一直不更新", "送错地址了", "快递员态度差"),
    "packaging": ("箱子压扁了", "包装太简陋", "漏液了", "泡沫箱碎了"),
    "mismatch": ("规格不对", "少发了一袋", "重量不足", "和描述不符"),
}
GOOD_REVIEWS = (
    "很甜，下次还买",
    "个头大，家人都说好吃",
    "物流很快，包装完好",
    "性价比高",
    "和直播说的一样",
    "新鲜，好评",
    "支持家乡产品",
    "已经回购了",
    "送人很有面子",
    "",
    "",
    "不错",
)
MIXED_REVIEWS = ("还行吧，有两个压坏了", "一般，没有想象中甜", "个头偏小", "物流慢了点")
FORCED_REPORTS = (
    "单位要求每名干部至少购买{n}元，要截图上报",
    "工会统一组织购买，不买要通报",
    "局里下了任务，每人不低于{n}元",
    "领导在群里催大家下单，说要完成指标",
    "村干部挨家挨户让买，不买影响评优",
)


def chat_line(world: World, produce: str, title: str = "") -> str:
    """One honest chat line, with the topic drawn and the wording varied.

    Now and then an honest viewer greets the official too: greeting alone is not praise."""
    if title and world.chance(0.04):
        return world.pick(OFFICIAL_GREETINGS).format(t=title) + world.pick((*CLOSERS[:3], "！"))
    topic = world.rng.choice(9, p=[0.12, 0.16, 0.13, 0.14, 0.07, 0.05, 0.05, 0.14, 0.14])
    pool = (GREETINGS, TASTE, DELIVERY, PRICE, SIZE, PACKAGING, COMPLAINTS, STATEMENTS, CHATTER)[
        int(topic)
    ]
    text = world.pick(pool).format(p=produce, c=world.pick(CITIES))
    if topic in (1, 2, 3, 4, 5):
        closer = world.pick(CLOSERS)
        if (text[-1] in "吗呢么" or "不" in text or "没" in text) and closer in ("吗", "呢"):
            closer = "？"
        text = world.pick(OPENERS) + text + closer
    elif topic == 0 and world.chance(0.3):
        text = text + "，" + world.pick(CITIES) + "的"
    return text


def praise_line(world: World, title: str, produce: str, *, official: bool, vary: float) -> str:
    """A paid line from a template; ``vary`` (0–1) says how much it is paraphrased."""

    def one(pool: tuple[str, ...]) -> str:
        paraphrase = world.chance(vary)
        return world.pick(pool).format(
            t=title,
            p=produce,
            d=world.pick(DEGREE) if paraphrase else "太",
            l=world.pick(LEAD) if paraphrase and world.chance(0.6) else "",
        )

    text = one(PRAISE_OFFICIAL if official else PRAISE_PRODUCE)
    if world.chance(vary * 0.6):
        extra = one(PRAISE_PRODUCE if official else PRAISE_OFFICIAL)
        text = extra + "，" + text if world.chance(0.5) else text + "，" + extra
    if world.chance(vary * 0.4):
        text = produce + "！" + text
    return text + world.pick(BANGS) + (world.pick(EMOJI) * world.between(0, 3))


def complaint_text(world: World, category: str) -> str:
    pool = (
        QUALITY_COMPLAINTS if category == "quality" else OTHER_COMPLAINTS.get(category, ("不满意",))
    )
    text = world.pick(pool)
    if world.chance(0.4):
        text += "，" + world.pick(("要求退款", "希望处理", "太失望了", "不会再买了", "请给个说法"))
    return text


def review_text(world: World, stars: int) -> str:
    return world.pick(GOOD_REVIEWS) if stars >= 4 else world.pick(MIXED_REVIEWS)


def forced_report(world: World, amount_yuan: int) -> str:
    return world.pick(FORCED_REPORTS).format(n=amount_yuan)
