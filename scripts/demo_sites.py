"""The web pages of the demo: the sites that link to Fernhill Nursery, and Fernhill's own pages.

``scripts/make_demo_data.py`` serves these pages on a loopback web server and
runs gsc-backlinks' real link checker over them, twice (a round dated
2026-11-05 and one dated 2026-11-19).  Each linking page is a small HTML page of
its site: a masthead and menu, an article on a gardening topic with the link to
Fernhill in a sentence of its own, a sidebar, a footer.  The article depends on
the page's path (``tag/roses/`` is about roses and links to Fernhill's roses),
its language and wording on the site.

What changes between the rounds, and what the checks then show, is in
:data:`STORY`: a link removed from a valuable page, a page gone, a page that
asks not to be indexed, links marked nofollow, ugc or sponsored, and one of
Fernhill's own pages (``delivery/``) that is gone while links still point at it.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

SITE = "https://www.fernhill-nursery.example/"


@dataclass(frozen=True)
class Link:
    """A link on a linking page."""

    target: str  #: a path on Fernhill's site, or a whole URL elsewhere
    anchor: str
    rel: str = ""  #: "nofollow", "ugc", "sponsored", …

    @property
    def url(self) -> str:
        return self.target if "://" in self.target else SITE + self.target


@dataclass(frozen=True)
class Topic:
    """An article: its title, its paragraphs (one holds ``{link}``) and the link in it."""

    title: str
    paragraphs: tuple[str, ...]
    link: Link | None


def _t(title: str, link: Link | None, *paragraphs: str) -> Topic:
    return Topic(title, paragraphs, link)


# --- the articles, by the path of the page (its query, ?page=N, left out) ---------------------------

TOPICS: dict[str, Topic] = {
    "best-climbing-roses/": _t(
        "The best climbing roses for a north-facing wall", Link("roses/climbing-roses/", "climbing roses"),
        "A north wall is not a lost cause. Plenty of roses flower in a few hours of sun, and the best of them "
        "repeat from June until the first frosts if you deadhead them.",
        "We grew eight varieties against the shed for three summers. For bare-root plants in winter, the "
        "{link} at Fernhill Nursery arrived well packed and every one of them took.",
        "Tie the long stems in horizontally in autumn: flowers form along a bent cane, not only at its tip."),
    "winter pruning tips/": _t(
        "Winter pruning tips: roses, apples and the rest", Link("guides/how%20to%20prune%20roses/", "how to prune roses"),
        "Pruning in the dormant season is easier than it looks: you can see the shape of the plant, and most "
        "shrubs forgive a clumsy cut.",
        "Start with the dead, the damaged and the crossing stems. For bush roses, this guide on {link} is the "
        "clearest we have found: cut to an outward-facing bud, a quarter inch above it, sloping away.",
        "Leave stone fruit such as cherries and plums until summer; pruning them now invites silver leaf."),
    "reader-questions/": _t(
        "Reader questions: slow compost, leggy lavender and moss in the lawn", Link("guides/composting/", "composting guide"),
        "Each month we answer the questions you send in. This month: why is my compost heap still cold in "
        "November?",
        "A cold heap is usually a dry heap, or one with too much brown material. Mix in fresh green waste, "
        "water it and turn it; the {link} from Fernhill explains the balance of greens and browns well.",
        "Lavender that has gone leggy will not regrow from old wood. Take cuttings now and replace the plant "
        "in spring."),
    "links/": _t(
        "Links: nurseries, societies and suppliers we recommend", Link("", "Fernhill Nursery"),
        "These are the places our members buy plants from and learn from. We do not take payment for a "
        "place on this list.",
        "Nurseries: {link} (roses, fruit trees and hedging, mail order), and a handful of local growers who "
        "sell at the spring plant fair.",
        "Societies: the county beekeepers, the orchard group and the allotment federation."),
    "resources/": _t(
        "Resources for new gardeners", Link("guides/planting-bare-root-trees/", "planting bare root trees"),
        "Starting out? These are the guides we send new members to before they buy a single plant.",
        "Soil: test it before you plant. Trees: November to March is the bare-root season, and this guide to "
        "{link} covers the hole, the stake and the first watering.",
        "Tools: a good spade, a pair of bypass secateurs and a hoe will do most of the work."),
    "top-10-nurseries/": _t(
        "Ten nurseries worth the drive (or the delivery charge)", Link("", "Fernhill Nursery"),
        "We asked readers which nurseries they trust for healthy plants, honest labels and good advice.",
        "Number three, and the only one that grows its own hedging from seed: {link}. Their bare-root beech "
        "and hawthorn come bundled in tens, and the staff answer questions by email.",
        "The full list, with opening times and delivery areas, is below."),
    "apple-varieties/": _t(
        "Apple varieties for a small garden", Link("fruit-trees/apple-trees/", "apple trees"),
        "You do not need an orchard to grow apples. On a dwarfing rootstock such as M27 an apple tree stays "
        "under two metres and crops in its second year.",
        "Pick two varieties that flower at the same time so they pollinate each other. We bought our "
        "{link} from Fernhill, who list the pollination group of every tree they sell.",
        "For eating: Egremont Russet and Sunset. For cooking: a single Bramley will feed a family."),
    "podcast/episode-12/": _t(
        "Podcast, episode 12: jobs for the winter garden", Link("blog/winter-garden-jobs/", "winter garden jobs"),
        "In this episode we walk round the plot in the frost and talk about what is worth doing now and what "
        "can wait until March.",
        "Show notes: mulching borders, lifting dahlias, cleaning pots, and Fernhill's list of {link}, which we "
        "read from on air.",
        "Next episode: seed catalogues, and how not to order too much."),
    "2026/10/visit-report/": _t(
        "Visit report: a morning at Fernhill Nursery", Link("", "Fernhill Nursery"),
        "Twelve of us drove out on a wet Saturday in October to see a nursery that grows most of what it "
        "sells.",
        "The rose field was past its best but the hedging beds were being lifted for the bare-root season. "
        "If you cannot visit, {link} sells by mail order across the country.",
        "Thanks to the staff for the tour and the tea."),
    "forum/thread/4411/": _t(
        "Forum: which hedge for a windy site?", Link("hedging/", "hedging plants"),
        "Thread 4411. Original post: our garden faces west over open fields and the fence has blown down "
        "twice. What hedge would take the wind?",
        "Reply: hawthorn and field maple, planted as a double staggered row. We bought bare-root "
        "{link} by the bundle and put in 200 plants over a weekend.",
        "Reply: beech holds its brown leaves through winter, which is shelter of a kind, but it dislikes wet "
        "clay."),
    "guides/hedges/": _t(
        "A guide to planting a new hedge", Link("hedging/", "beech hedging"),
        "A hedge is cheaper than a fence, lasts longer and feeds birds and insects. Planting one is a job "
        "for a dry day between November and March.",
        "Mark a line, dig a trench a spade deep and plant five to a metre in a staggered row. Good sources of "
        "bare-root {link} and hawthorn sell them in bundles of 25 for a few pounds a plant.",
        "Cut the hedge back by a third after planting: it bushes out from the base."),
    "tag/roses/": _t(
        "Posts tagged: roses", Link("roses/", "roses"),
        "Everything we have written about roses: choosing, planting, feeding, pruning and the diseases that "
        "spoil them.",
        "Our most read post this year is on buying bare-root roses by mail; the {link} from Fernhill Nursery "
        "we planted last winter are all in flower in the photos.",
        "Older posts: black spot without sprays, roses for pots, and the best scented varieties."),
    "bienen-garten/": _t(
        "Bee gardens: what German growers can teach us", Link("perennials/", "perennials"),
        "In Germany the Bienengarten, a bed planted only for pollinators, is a familiar sight in public parks "
        "and allotments.",
        "The trick is flowers from March to October: crocus and willow early, lavender and catmint in summer, "
        "asters and ivy late. Long-flowering {link} do most of the work.",
        "Leave some bare, sunny soil: most wild bees nest in the ground."),
    "rosiers-grimpants/": _t(
        "Rosiers grimpants: climbing roses from French breeders", Link("roses/climbing-roses/", "climbing roses"),
        "French rose breeders have given us some of the toughest climbers there are, from Madame Alfred "
        "Carriere to the modern repeat flowerers.",
        "Most need a sunny wall and a strong wire frame. In Britain, Fernhill stock several of them among "
        "their {link}.",
        "Plant them 45 cm from the wall, where the soil is not in its rain shadow."),
    "category/fruit/": _t(
        "Category: fruit", Link("fruit-trees/", "fruit trees"),
        "Our posts on growing fruit: apples, pears, plums, soft fruit and the odd fig.",
        "New this month: planting bare-root {link} in November, with photos of the stake and tie we use.",
        "Coming up: winter pruning of apples and pears, and how to spot canker early."),
    "news/autumn-fair/": _t(
        "News: the autumn plant fair returns", Link("about/", "Fernhill Nursery"),
        "The autumn plant fair is back on the village green this Saturday, with twenty stalls of local "
        "growers.",
        "Among them: {link}, bringing bare-root fruit trees and hedging, and the beekeepers with honey and "
        "candles.",
        "Entry is free; parking is on the school field."),
    "wildlife/": _t(
        "Gardening for wildlife: start with water", Link("blog/wildlife-pond/", "wildlife pond ideas"),
        "Of everything you can do for wildlife, a pond does the most, and quickest: frogs and dragonflies "
        "find a new pond within weeks.",
        "It need not be big. A washing-up bowl sunk in the lawn counts. For something larger, these "
        "{link} show how to give it a shallow beach so hedgehogs can climb out.",
        "Do not add fish: they eat the tadpoles and the larvae that make a pond worth having."),
    "best-bulbs-2026/": _t(
        "The best bulbs for spring 2026", Link("bulbs/tulips/", "tulip bulbs"),
        "It is not too late: tulips go in from late October to the end of November, when the cold has "
        "killed off tulip fire in the soil.",
        "Our picks this year are the dark Queen of Night, the orange Ballerina and the pale Purissima. "
        "Fernhill's {link} are big, firm and sold loose, so you buy as many as you need.",
        "Plant them three times their own depth, deeper in light soil."),
    "compost-guide/": _t(
        "How to make compost: a guide for beginners", Link("guides/composting/", "how to compost"),
        "Compost is the cheapest way to a better soil, and it turns kitchen and garden waste into something "
        "useful instead of landfill.",
        "The rule is half greens (grass, peelings) and half browns (cardboard, leaves), kept damp and turned "
        "now and then. This guide on {link} covers bins, heaps and what to leave out.",
        "In a warm summer a turned heap is ready in three months; a cold one takes a year."),
    "shops/": _t(
        "Garden shops and nurseries near you", Link("delivery/", "delivery"),
        "Where to buy plants, tools and compost in the county, with opening times.",
        "Fernhill Nursery, near the ring road, open every day but Christmas. They also deliver: see their "
        "{link} page for the areas and charges.",
        "Know a shop we have missed? Send us its name and address."),
    # Pages named by the URL Inspection answers and the drill-down export of guides/composting/.
    "threads/compost-heap-help/": _t(
        "Compost heap help: it smells and it is wet", Link("guides/composting/", "composting guide"),
        "Original post: my heap smells of ammonia and is slimy. What have I done wrong?",
        "Reply: too many greens and not enough air. Add shredded cardboard, turn it with a fork and cover it "
        "from the rain. The {link} on the Fernhill site has a good table of greens and browns.",
        "Reply: and stop adding grass clippings in thick layers; spread them thin or let them wilt first."),
    "threads/leaf-mould/": _t(
        "Leaf mould: bags or a cage?", Link("guides/composting/", "composting"),
        "Original post: we have three big oaks and a lot of leaves. Is it worth making leaf mould?",
        "Reply: yes, it is the best mulch there is, and it costs nothing. Wet the leaves, pack them in bin bags "
        "with a few holes, and forget them for two years. Fernhill's page on {link} covers it too.",
        "Reply: a cage of chicken wire works as well and holds more."),
    "guides/soil/": _t(
        "Know your soil", Link("guides/composting/", "home composting"),
        "Clay, sand, silt or loam: a handful squeezed in your fist tells you most of what you need to know.",
        "Whatever you have, organic matter improves it. Dig in well-rotted manure, or make your own with "
        "{link}; an inch a year on the surface is enough.",
        "Test the pH before planting blueberries, rhododendrons or heathers."),
    "threads/worm-bins/": _t(
        "Worm bins: tips from members", Link("guides/composting/", "compost", rel="ugc"),
        "A worm bin turns kitchen scraps into the richest compost there is, and it fits on a balcony.",
        "Members' tips: keep it out of frost and sun, feed little and often, and add shredded paper when it "
        "gets wet. One member swears by this page on {link} for the basics.",
        "Never add citrus, onion or meat."),
    "blog/soil-health/": _t(
        "Soil health is plant health", Link("guides/composting/", "compost"),
        "Healthy soil is alive: worms, fungi and bacteria do the work of feeding your plants if you feed them.",
        "Stop digging, keep the soil covered, and add {link} every year as a mulch. Fernhill's guide is a good "
        "place to start.",
        "Within a few seasons you will see the difference in the worms alone."),
    "tips/autumn/": _t(
        "Autumn tips for the allotment", Link("guides/composting/", "start a compost heap"),
        "The season is over but the plot still needs you: clear, cover and plan.",
        "Clear spent crops, sow green manure on empty beds, and {link} with the haulm and the leaves; "
        "Fernhill's guide shows a three-bay system made of pallets.",
        "Order seed potatoes now, before the popular varieties sell out."),
    "news/rose-of-the-year/": _t(
        "Rose of the year announced", Link("roses/", "roses"),
        "The judges chose a repeat-flowering shrub rose with a strong scent and a clean record against black "
        "spot.",
        "It will be sold from January by a handful of growers, among them Fernhill Nursery, whose "
        "{link} have won medals at the summer shows for three years running.",
        "Trial results for the other entries are published in our next issue."),
    "whats-on/christmas-market/": _t(
        "What's on: the Christmas market", Link("gift-vouchers/", "gift vouchers"),
        "The Christmas market opens on the first Saturday of December, with forty stalls and a choir.",
        "Stuck for a present for a gardener? Fernhill Nursery will have a stall selling wreaths, bulbs in "
        "pots and {link}.",
        "Open 10 am to 8 pm; the park-and-ride runs every 15 minutes."),
}

#: Other wordings of the paragraph with the link, for topics found on several sites.
VARIANTS: dict[str, tuple[str, ...]] = {
    "tag/roses/": (
        "Last spring's post on planting roses in clay is still the one readers ask about; we used {link} from "
        "Fernhill Nursery and dug in a barrow of manure for each.",
        "Most recent: a reader's photos of the {link} she bought bare-root from Fernhill, two summers on.",
        "Pinned: where to buy. For bare-root {link} by mail, members mostly mention Fernhill Nursery."),
    "guides/hedges/": (
        "Plant five to a metre, in a staggered double row if you want it stockproof. We priced bare-root "
        "{link} from several growers; Fernhill's bundles were the best value.",
        "Buy bare-root, never potted, for a long hedge: it costs a third as much. {link} comes in bundles of "
        "25 from most nurseries, Fernhill among them.",
        "Which plants? For a formal hedge, {link} or hornbeam; for wildlife, a mix of hawthorn, hazel and "
        "dog rose."),
    "shops/": (
        "Fernhill Nursery, out on the Ludlow road: roses, fruit trees and hedging. Cannot get there? They post "
        "bare-root plants; their {link} page lists the charges.",
        "A mail-order nursery worth knowing about: Fernhill, whose {link} covers most of the country from "
        "November to March.",
        "For plants by post, Fernhill Nursery; check the {link} dates before you order for Christmas."),
    "resources/": (
        "Bare-root season runs from November to March. Before you order, read this guide to {link}: the "
        "hole, the stake and the first watering.",
        "Trees: we recommend this step-by-step guide to {link}, written by a nursery that sells them.",
        "Our favourite guide this winter is on {link}; print it and take it to the plot."),
    "top-10-nurseries/": (
        "Number five: {link}, for roses and fruit trees by mail order, with planting notes in every parcel.",
        "The readers' favourite for hedging: {link}, which grows its own beech and hawthorn from seed.",),
    "links/": (
        "Nurseries we trust: {link} (mail order, bare-root roses and hedging) and two local growers listed "
        "below.",
        "Where to buy: {link} for roses and fruit trees; the county plant fairs for everything else.",),
    "compost-guide/": (
        "Greens and browns, half and half, kept as damp as a wrung-out sponge: that is all there is to it. "
        "Fernhill's guide on {link} has a good table of what goes in.",
        "If you read one thing before you start, make it this page on {link}: bins, heaps and what to leave "
        "out, in plain words.",
        "Do not worry about getting it right: everything rots in the end. For the details, see {link} on the "
        "Fernhill Nursery site."),
    "bienen-garten/": (
        "Plant in drifts, not dots: bees work one kind of flower at a time. Most of our {link} came bare-root "
        "from Fernhill in the autumn.",
        "Aim for something in flower every month from March to October. Long-flowering {link} such as catmint "
        "and scabious carry the summer.",),
    "wildlife/": (
        "Give it one shallow side so that hedgehogs and frogs can climb out; these {link} show how, with a "
        "liner and a few flat stones.",
        "A pond the size of a door is enough for frogs within a year. For a plan and a planting list, see "
        "these {link}.",),
    "podcast/episode-12/": (
        "Links from the show: mulching, lifting dahlias and Fernhill Nursery's list of {link}.",),
    "forum/thread/4411/": (
        "Reply: we went for a mixed native hedge and bought the plants bare-root from a mail-order nursery; "
        "their {link} came in bundles of 25.",),
    "category/fruit/": (
        "This month: planting bare-root {link}, staking them and keeping the grass off their roots.",),
    "best-climbing-roses/": (
        "We planted ours bare-root in November; the {link} from Fernhill Nursery flowered in their first "
        "summer.",
        "Buy bare-root and plant before Christmas. Fernhill's {link} came with a planting sheet and a pack of "
        "ties.",),
    "best-bulbs-2026/": (
        "Buy loose bulbs, not bags, and squeeze them: they should be firm. Fernhill's {link} are sold by the "
        "ten.",
        "For pots, plant in layers, the latest-flowering deepest. We ordered {link} by post from Fernhill.",),
    "apple-varieties/": (
        "Choose a dwarfing rootstock and two varieties that flower together; Fernhill list the pollination "
        "group of all their {link}.",),
    "2026/10/visit-report/": (
        "Cannot get there? {link} posts bare-root plants from November, with planting notes in the box.",),
    "rosiers-grimpants/": (
        "In Britain, the widest choice of French climbers we found was among Fernhill's {link}.",),
}

#: Sites in other languages: the same topics, in their words.
FOREIGN: dict[tuple[str, str], Topic] = {
    ("fr", "bienen-garten/"): _t(
        "Un jardin pour les abeilles", Link("perennials/", "plantes vivaces"),
        "Un jardin mellifère offre des fleurs de mars à octobre : crocus et saules au printemps, lavande et "
        "népéta en été, asters et lierre en automne.",
        "Nous avons commandé nos {link} chez Fernhill Nursery, en Angleterre : livraison soignée et plantes "
        "vigoureuses.",
        "Laissez un coin de terre nue et ensoleillée : la plupart des abeilles sauvages nichent dans le sol."),
    ("fr", "rosiers-grimpants/"): _t(
        "Rosiers grimpants : nos variétés préférées", Link("roses/climbing-roses/", "rosiers grimpants"),
        "Un mur ensoleillé, un treillage solide et un peu de patience : le rosier grimpant récompense "
        "pendant des décennies.",
        "Parmi nos fournisseurs, Fernhill Nursery propose un beau choix de {link} en racines nues, expédiés "
        "de novembre à mars.",
        "Plantez à 45 cm du mur et palissez les tiges à l'horizontale."),
    ("fr", "category/fruit/"): _t(
        "Catégorie : arbres fruitiers", Link("fruit-trees/", "arbres fruitiers"),
        "Pommiers, poiriers, pruniers : nos articles sur le verger familial.",
        "Nouveau ce mois-ci : planter des {link} en racines nues, avec le tuteur et le lien que nous utilisons.",
        "Prochainement : la taille d'hiver des pommiers."),
    ("fr", "shops/"): _t(
        "Pépinières et jardineries recommandées", Link("", "Fernhill Nursery"),
        "Les adresses de nos lecteurs pour acheter des plantes en France et au Royaume-Uni.",
        "Au Royaume-Uni : {link}, spécialiste des rosiers et des haies, qui livre en Europe.",
        "Vous connaissez une bonne adresse ? Écrivez-nous."),
    ("de", "bienen-garten/"): _t(
        "Der Bienengarten: Blüten von März bis Oktober", Link("perennials/", "Stauden"),
        "Ein Bienengarten braucht Blüten über die ganze Saison: Krokus und Weide im Frühjahr, Lavendel und "
        "Katzenminze im Sommer, Astern und Efeu im Herbst.",
        "Unsere {link} haben wir bei Fernhill Nursery in England bestellt; sie kamen gut verpackt und sind "
        "alle angewachsen.",
        "Lassen Sie offene, sonnige Bodenstellen: die meisten Wildbienen nisten im Boden."),
    ("de", "apple-varieties/"): _t(
        "Apfelsorten für kleine Gärten", Link("fruit-trees/apple-trees/", "Apfelbäume"),
        "Auf schwach wachsender Unterlage bleibt ein Apfelbaum unter zwei Metern und trägt schon im zweiten "
        "Jahr.",
        "Wurzelnackte {link} bekommt man von November bis März, zum Beispiel bei Fernhill Nursery, die zu jeder "
        "Sorte die Befruchtergruppe angeben.",
        "Pflanzen Sie zwei Sorten, die gleichzeitig blühen."),
    ("de", "top-10-nurseries/"): _t(
        "Zehn Gärtnereien, die sich lohnen", Link("", "Fernhill Nursery"),
        "Unsere Leser haben abgestimmt: hier kaufen sie gesunde Pflanzen mit ehrlicher Beratung.",
        "Platz drei, und die einzige aus England: {link}, bekannt für Rosen und Heckenpflanzen im Versand.",
        "Die ganze Liste mit Öffnungszeiten steht unten."),
}

# --- the sites ----------------------------------------------------------------------------------------

#: registrable domain -> (site name, language, menu)
SITES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "gardenersforum.example": ("Gardeners' Forum", "en", ("Forum", "Guides", "Members", "Search")),
    "hortweekly.co.uk": ("Horticulture Weekly", "en", ("News", "Features", "Podcast", "Jobs", "Subscribe")),
    "greenthumbs.example": ("Green Thumbs", "en", ("Blog", "Guides", "About")),
    "allotment-life.example": ("Allotment Life", "en", ("Tips", "Questions", "Links")),
    "rhs-members.example": ("Horticultural Society Members' Community", "en", ("Community", "Guides", "Events")),
    "localnews.example": ("The Local News", "en", ("News", "What's on", "Shops", "Sport")),
    "treesociety.example": ("The Tree Society", "en", ("About trees", "Questions", "Links", "Join")),
    "bee-friendly.example": ("Bee Friendly Gardens", "en", ("Forum", "Plants for bees", "About")),
    "wordpress-garden.example": ("", "en", ("Home", "Archive", "About me")),
    "pinboard.example": ("Pinboard", "en", ("Popular", "Recent", "Tags")),
    "seedswap.example": ("Seed Swap", "en", ("Swaps", "Guides", "Tags")),
    "homesandgardens.example": ("Homes and Gardens", "en", ("Gardens", "Interiors", "Shopping")),
    "rosegrowers.example": ("The Rose Growers' Association", "en", ("Roses", "Shows", "Links", "Join")),
    "urbanjungle.example": ("Urban Jungle", "en", ("Balconies", "Houseplants", "Tags")),
    "countryliving.example": ("Country Living", "en", ("Gardens", "Food", "Shops")),
    "spamdirectory.example": ("Best Links Directory", "en", ("Add your site", "Categories")),
    "gartenfreunde.example": ("Gartenfreunde", "de", ("Forum", "Ratgeber", "Sorten")),
    "jardin-passion.example": ("Jardin Passion", "fr", ("Potager", "Verger", "Adresses")),
    "pondkeepers.example": ("Pond Keepers", "en", ("Ponds", "Shops", "Wildlife")),
    "orchardtrust.example": ("The Orchard Trust", "en", ("Varieties", "Podcast", "Volunteer")),
}
BLOGGERS = {"amy": "Amy's Garden Diary", "tom": "Tom Grows Veg", "kate": "Kate's Cottage Garden"}
#: Sites whose every link to another site is nofollow (a bookmarking site).
NOFOLLOW_SITES = ("pinboard.example",)


@dataclass(frozen=True)
class Page:
    """One answer of a loopback site: its status, body and content type."""

    status: int
    body: str
    content_type: str = "text/html; charset=utf-8"


# --- what changes between the two rounds of checks -----------------------------------------------------

#: url -> round (1, 2) -> what differs from the plain page: "link" (a Link, or None: no link to Fernhill),
#: "status" (an HTTP status: the page is gone), "robots" (meta robots), "rel" (the link's rel).
STORY: dict[str, dict[int, dict]] = {
    # A valuable link removed: the members' hedging guide now names another nursery.
    "https://community.rhs-members.example/guides/hedges/?page=2": {
        2: {"link": Link("https://www.greenfingers.example/hedging/", "beech hedging")}},
    # A page gone: the seed swap site deleted its roses tag.
    "https://www.seedswap.example/tag/roses/": {2: {"status": 404}},
    # A page that asks not to be indexed (a questions page of the tree society).
    "https://www.treesociety.example/reader-questions/": {1: {"robots": "noindex, follow"},
                                                          2: {"robots": "noindex, follow"}},
    # A forum reply: user-generated content, marked so.
    "https://forum.gardenersforum.example/reader-questions/?page=2": {1: {"rel": "ugc"}, 2: {"rel": "ugc"}},
    # A paid listing in the local paper's shop directory.
    "https://www.localnews.example/shops/?page=4": {2: {"link": Link("", "Fernhill Nursery", rel="sponsored")}},
}
#: Fernhill's own page that is gone while links still point at it (round 2); in round 1 it still answered,
#: naming the page it moved to as its canonical (as URL Inspection saw it on 2026-11-02).
GONE_OWN_PAGE = "delivery/"
MOVED_TO = "help/delivery/"


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def topic_key(url: str) -> str:
    """The article a linking page holds: its path without the leading slash (the query left out)."""
    return unquote(urlsplit(url).path).lstrip("/")


def site_of(host: str) -> tuple[str, str, tuple[str, ...]]:
    """(site name, language, menu) of a host."""
    domain = ".".join(host.split(".")[-3:]) if host.endswith(".co.uk") else ".".join(host.split(".")[-2:])
    name, lang, menu = SITES.get(domain, (domain, "en", ("Home", "About")))
    if domain == "wordpress-garden.example":
        name = BLOGGERS.get(host.split(".")[0], "A Garden Blog")
    return name, lang, menu


def article(url: str, round_no: int) -> tuple[Topic, dict]:
    """The article of a linking page in a round, and what the story changes on it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    _, lang, _ = site_of(host)
    key = topic_key(url)
    topic = FOREIGN.get((lang, key)) or TOPICS.get(key)
    if topic is None:
        raise KeyError(f"no article for {url}: add one to scripts/demo_sites.py")
    options = VARIANTS.get(key, ()) if topic is TOPICS.get(key) else ()
    pick = _digest(host) % (len(options) + 1)
    if pick:  # another site's wording of the paragraph with the link
        paragraphs = tuple(options[pick - 1] if "{link}" in p else p for p in topic.paragraphs)
        topic = replace(topic, paragraphs=paragraphs)
    change = dict(STORY.get(url, {}).get(round_no, {}))
    link = change.pop("link", topic.link)
    rel = change.pop("rel", None)
    if link is not None and rel is not None:
        link = replace(link, rel=rel)
    domain = ".".join(host.split(".")[-2:])
    if link is not None and domain in NOFOLLOW_SITES:
        link = replace(link, rel="nofollow")
    return replace(topic, link=link), change


def page_title(url: str, topic: Topic) -> str:
    """The <title> of a linking page: its article's title (and page number), then its site's name."""
    parts = urlsplit(url)
    name, _, _ = site_of(parts.hostname or "")
    number = f" (page {parts.query.split('=', 1)[1]})" if parts.query.startswith("page=") else ""
    return f"{topic.title}{number} | {name}"


def linking_page(url: str, round_no: int) -> Page:
    """The answer of a linking page in a round of checks."""
    topic, change = article(url, round_no)
    if change.get("status"):
        return Page(change["status"], _not_found(url), "text/html; charset=utf-8")
    parts = urlsplit(url)
    host = parts.hostname or ""
    name, lang, menu = site_of(host)
    title = page_title(url, topic).rsplit(" | ", 1)[0]
    link = topic.link
    anchor = ""
    if link is not None:
        rel = f' rel="{link.rel}"' if link.rel else ""
        anchor = f'<a href="{html.escape(link.url)}"{rel}>{html.escape(link.anchor)}</a>'
    paragraphs = []
    for text in topic.paragraphs:
        escaped = html.escape(text)
        if "{link}" in text:
            if link is None:
                # The link was taken out: the sentence now ends without it.
                escaped = html.escape(text.split("{link}")[0].rstrip(" ,:;") + ".")
            else:
                escaped = escaped.replace("{link}", anchor)
        paragraphs.append(f"<p>{escaped}</p>")
    robots = change.get("robots")
    head_extra = f'\n<meta name="robots" content="{robots}">' if robots else ""
    menu_html = " ".join(f'<a href="/{m.lower().replace(" ", "-").replace(chr(39), "")}/">{html.escape(m)}</a>'
                         for m in menu)
    day = 1 + _digest(url) % 27
    byline = {"en": f"Posted on {day} October 2026", "fr": f"Publié le {day} octobre 2026",
              "de": f"Veröffentlicht am {day}. Oktober 2026"}[lang]
    related = {"en": "Popular this week", "fr": "Les plus lus", "de": "Meistgelesen"}[lang]
    others = [t.title for k, t in TOPICS.items() if k != topic_key(url)]
    picks = [others[(_digest(url) + i * 7) % len(others)] for i in range(3)]
    sidebar = "".join(f"<li>{html.escape(p)}</li>" for p in picks) if lang == "en" else ""
    return Page(200, f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(page_title(url, topic))}</title>{head_extra}
<link rel="canonical" href="{html.escape(url)}">
</head>
<body>
<header class="masthead"><a class="logo" href="/">{html.escape(name)}</a>
<nav class="menu">{menu_html}</nav>
</header>
<main>
<article>
<h1>{html.escape(title)}</h1>
<p class="byline">{byline}</p>
{chr(10).join(paragraphs)}
</article>
<aside class="sidebar"><h2>{related}</h2><ul>{sidebar}</ul></aside>
</main>
<footer class="site-footer"><p>&copy; 2026 {html.escape(name)} · <a href="/privacy/">Privacy</a> · <a href="/contact/">Contact</a></p></footer>
</body>
</html>
""")


def _not_found(url: str) -> str:
    name, _, _ = site_of(urlsplit(url).hostname or "")
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not found | "
            f"{html.escape(name)}</title></head>\n<body><h1>Page not found</h1><p>The page you asked for is not "
            f"here any more. <a href=\"/\">Back to {html.escape(name)}</a></p></body></html>\n")


# --- Fernhill's own pages -------------------------------------------------------------------------------

#: path -> page title
OWN_TITLES = {
    "": "Fernhill Nursery: roses, fruit trees and hedging by mail order",
    "roses/": "Roses", "roses/climbing-roses/": "Climbing roses", "roses/rambling-roses/": "Rambling roses",
    "fruit-trees/": "Fruit trees", "fruit-trees/apple-trees/": "Apple trees",
    "guides/how to prune roses/": "How to prune roses", "guides/planting-bare-root-trees/": "Planting bare-root trees",
    "guides/composting/": "Composting: a guide", "guides/when-to-plant-tulips/": "When to plant tulips",
    "hedging/": "Hedging plants", "bulbs/tulips/": "Tulip bulbs", "blog/winter-garden-jobs/": "Winter garden jobs",
    "blog/wildlife-pond/": "Make a wildlife pond", "about/": "About Fernhill Nursery", "perennials/": "Perennials",
    "perennials/lavender/": "Lavender", "blog/ナチュラルガーデン/": "ナチュラルガーデン", "gift-vouchers/": "Gift vouchers",
    "herbs/": "Herb plants", "grasses/": "Ornamental grasses", "contact/": "Contact us",
    "delivery/": "Delivery", "help/delivery/": "Delivery: areas, charges and times",
}


def own_page(path: str, round_no: int) -> Page:
    """The answer of one of Fernhill's own pages (path without the leading slash, unquoted) in a round."""
    title = OWN_TITLES.get(path)
    if title is None:
        return Page(404, "<!doctype html><title>Not found | Fernhill Nursery</title><h1>Not found</h1>\n")
    canonical = SITE + path
    if path == GONE_OWN_PAGE:
        if round_no == 2:
            return Page(404, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page not found | "
                             "Fernhill Nursery</title></head>\n<body><h1>Sorry, that page has gone</h1><p><a href=\"/\">"
                             "Home</a></p></body></html>\n")
        canonical = SITE + MOVED_TO
    return Page(200, f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{html.escape(title)} | Fernhill Nursery</title>
<link rel="canonical" href="{html.escape(canonical)}"></head>
<body><header><a href="/">Fernhill Nursery</a></header>
<main><h1>{html.escape(title)}</h1><p>Grown on our nursery in the hills, sent by mail order from November to March.</p></main>
<footer>Fernhill Nursery · <a href="/contact/">Contact</a></footer></body>
</html>
""")


ROBOTS = {
    "www.fernhill-nursery.example": "User-agent: *\nDisallow: /basket/\nDisallow: /account/\n\n"
                                    "Sitemap: https://www.fernhill-nursery.example/sitemap.xml\n",
    "www.gardenersforum.example": "User-agent: *\nDisallow: /search/\nDisallow: /members/\n",
    "forum.gardenersforum.example": "User-agent: *\nDisallow: /search/\n",
    "www.localnews.example": "User-agent: *\nDisallow: /admin/\n",
}
