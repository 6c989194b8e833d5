"""A large, made-up archive for benchmarks: `manage.py generate_load_data`.

Defaults: 10,000 talks, 200,000 comments, 300 tags, 3,000 speakers, 5,000 users
and 20 series; the same --seed (and --today) gives the same data. Rows go in by
bulk_create, in batches, so the whole default set loads in well under two
minutes on PostgreSQL. bulk_create skips save() and signals, so this command
does what they would: it fills the rendered HTML (a bounded set of distinct
abstracts and comment bodies is rendered once and reused) and Talk.search_names
(in the format of seminars.search.names_of), and outdates the cached pages
(pagecache.versions.site_changed).

The shape of the data, in proportions that hold at any size:

- Talks come at a steady rate (TALKS_PER_WEEK) and are booked up to
  UPCOMING_WEEKS ahead, so a larger archive reaches further into the past while
  the upcoming talks (home page, calendars) stay as many. About 88% are
  published, 6% cancelled, 6% drafts.
- Comments go to public talks. One talk in 500 (at least one) is a "hot" talk
  with HOT_TALK_FACTOR times the average number of comments per public talk
  (500+ at the defaults); the rest follow a long tail. About a third are
  replies; 1% are held for approval, 0.5% removed, 0.5% by deleted users.
- Tag popularity follows Zipf's law, so the busiest tags hold thousands of
  talks at the defaults (the two largest over 20% of all talks each).
- Each series has one to three organisers (staff in the Organisers group).

Everything made here is marked (slugs and usernames start with "loadgen-",
emails end in "@loadgen.invalid"), and running the command again first deletes
what an earlier run made. It refuses a database that holds anything else, so
nobody fills a real site with made-up talks by mistake; --force adds the
generated data beside it (and still deletes only generated rows).
"""

import argparse
import datetime
import random
import time
from itertools import accumulate

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Q
from django.utils.text import slugify

from pagecache.versions import site_changed
from seminars.models import Comment, Series, Speaker, Tag, Talk
from seminars.rendering import RENDERER_VERSION, render_abstract, render_comment
from seminars.roles import ORGANISERS_GROUP
from seminars.search import refresh_search_names

MARK = "loadgen-"
EMAIL_DOMAIN = "loadgen.invalid"
BATCH_SIZE = 2000

TALKS_PER_WEEK = 20
UPCOMING_WEEKS = 8
# At most this share of a small archive is upcoming, so it has a past too.
MOST_UPCOMING_SHARE = 0.3
# Tag popularity: with this exponent the two busiest tags hold over 20% of talks each.
TAG_ZIPF_EXPONENT = 1.1
HOT_TALKS_PER_TALK = 1 / 500
HOT_TALK_FACTOR = 30
REPLY_SHARE = 0.35
HELD_SHARE = 0.01
REMOVED_SHARE = 0.005
DELETED_AUTHOR_SHARE = 0.005
# Distinct texts, rendered once each: rendering 200,000 comments would take minutes.
DISTINCT_ABSTRACTS = 80
DISTINCT_BODIES = 300

AREAS = [
    "Algebra", "Analysis", "Combinatorics", "Dynamics", "Fluids", "Geometry", "Topology",
    "Probability", "Statistics", "Number theory", "Logic", "Optimisation", "Control",
    "Learning theory", "Mathematical physics", "Numerical analysis", "Cryptography",
    "Graph theory", "Representation theory", "Ergodic theory", "Game theory",
    "Information theory", "Inverse problems", "Kinetic theory", "Biomathematics",
    "Finance", "Signal processing", "Quantum computing", "Climate modelling", "Networks",
]  # fmt: skip
QUALIFIERS = [
    "", "applied", "computational", "stochastic", "discrete", "geometric", "nonlinear",
    "high-dimensional", "random", "quantum",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Bram", "Chiara", "Dmitri", "Emily", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemi", "Lars", "Maya", "Nikhil", "Olga", "Pablo", "Qing", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Boris", "Carmen", "Deniz",
    "Elif", "Felix", "Gita", "Hugo", "Ivana", "Jamal", "Keiko", "Luca", "Mina", "Noor",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "van Leeuwen", "Russo", "Sokolov", "Tanaka", "Haddad", "Kim", "Novak",
    "Garcia", "Schmidt", "Mensah", "Larsen", "Dubois", "Rao", "Petrov", "Silva", "Zhang",
    "Moreau", "Berg", "Kowalski", "Nakamura", "Costa", "Ibrahim", "Fischer", "Ali",
    "Jensen", "Rossi", "Yilmaz", "Hughes", "Murphy", "Chen", "Lopez", "Varga", "Sato",
    "Eriksson", "Adeyemi", "Popescu", "Horvat", "Quinn", "Weber",
]  # fmt: skip
ADJECTIVES = [
    "Sharp", "Random", "Optimal", "Stable", "Sparse", "Singular", "Adaptive", "Hidden",
    "Universal", "Fractional", "Local", "Global", "Effective", "Robust", "Minimal",
]  # fmt: skip
SUBJECTS = [
    "bounds", "limits", "flows", "estimates", "inequalities", "operators", "transport",
    "embeddings", "spectra", "dynamics", "invariants", "measures", "solvers", "networks",
    "vortices", "waves", "lattices", "partitions", "surfaces", "kernels",
]  # fmt: skip
OBJECTS = [
    "random matrices", "the Navier–Stokes equations", "neural networks", "prime numbers",
    "Markov chains", "elliptic curves", "turbulent flows", "graphs", "Banach spaces",
    "the heat equation", "sparse signals", "quantum channels", "moduli spaces",
    "interacting particles", "convex bodies", "Brownian motion", "tensor networks",
    "climate models", "mean-field games", "hyperbolic groups",
]  # fmt: skip
SENTENCES = [
    "We study {object} and prove {adjective} {subject} that hold uniformly in the dimension.",
    "The main tool is a new estimate for $\\|u\\|_{{L^p}} \\le C \\|\\nabla u\\|_{{L^q}}$.",
    "Joint work with colleagues in {area}; no background in {area2} is assumed.",
    "Our approach combines {adjective} {subject} with ideas from {area}.",
    "As an application we obtain {adjective} {subject} for {object}.",
    "We show that $\\lambda_1(\\Omega) \\ge \\frac{{\\pi^2}}{{d^2}}$ whenever $\\Omega$ is convex.",
    "Numerical experiments on {object} confirm the predicted rate $O(n^{{-1/2}})$.",
    "$$\\mathbb{{E}}\\left[\\sup_{{t \\le T}} |X_t|^2\\right] \\le C (1 + |x|^2) e^{{CT}}$$",
    "This answers a question raised in {area} about {object}.",
    "We close with open problems on {subject} of {object}.",
]
COMMENT_LINES = [
    "Thank you for a clear talk!",
    "Does the bound still hold when $p = 2$?",
    "Could you share the slides?",
    "How does this compare with the approach via {subject}?",
    "Is there a version of this for {object}?",
    "The constant $C$ in the main theorem: does it depend on $d$?",
    "Great question from the audience about {object}.",
    "See also the survey on {adjective} {subject} for background.",
    "I think the assumption on $\\alpha > 1/2$ can be relaxed.",
    "Will the recording be posted?",
    "Nice connection with {area}.",
    "The example with {object} was very helpful.",
]
VENUES = [
    "Lecture Theatre 1", "Seminar Room 2.14", "Hall B, Mathematics Building",
    "Room 105, Physics", "Online only",
]  # fmt: skip
TIME_ZONES = [
    "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
    "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo",
]  # fmt: skip
HELD_REASONS = ["first comment by this author", "3 links (the series allows 2)"]
REMOVAL_REASONS = ["Off topic.", "Spam.", "Personal attack."]


class Command(BaseCommand):
    help = "Replace the generated benchmark data (series, talks, comments...) with a fresh set."

    def add_arguments(self, parser):
        parser.add_argument("--talks", type=int, default=10_000)
        parser.add_argument("--comments", type=int, default=200_000)
        parser.add_argument("--tags", type=int, default=300)
        parser.add_argument("--speakers", type=int, default=3_000)
        parser.add_argument("--users", type=int, default=5_000)
        parser.add_argument("--series", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=iso_date,
            default=None,
            help="YYYY-MM-DD: the day talks are placed around (default: today, in UTC).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add generated data even though the database holds other data.",
        )

    def handle(self, *args, **options):
        check_sizes(options)
        if not options["force"] and (found := foreign_data()):
            raise CommandError(
                f"The database holds data this command did not make ({found}). Refusing to "
                "mix made-up talks into it; use an empty database, or --force."
            )
        started = time.monotonic()
        today = options["today"] or datetime.datetime.now(datetime.UTC).date()
        try:
            with transaction.atomic():
                delete_generated_data()
                # Foreign keys are checked at commit; check the deletion's now, before any work.
                connection.check_constraints()
                Generator(options, today).run()
        except IntegrityError as error:
            raise CommandError(
                f"Other data points at the earlier generated data, which stays as it was: {error}"
            ) from None
        # bulk_create sends no signals: outdate every cached page ourselves, once
        # the data is there for other processes to read.
        site_changed()
        update_planner_statistics()
        self.stdout.write(self.style.SUCCESS(summary(time.monotonic() - started)))


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2026-03-02, not {text!r}") from None


def check_sizes(options):
    for name in ("talks", "tags", "speakers", "users", "series"):
        if options[name] < 1:
            raise CommandError(f"--{name} must be at least 1.")
    if options["comments"] < 0:
        raise CommandError("--comments cannot be negative.")
    if options["users"] < options["series"]:
        raise CommandError("--users must be at least --series (each series has an organiser).")


def generated_users():
    return get_user_model().objects.filter(
        username__startswith=MARK, email__endswith=f"@{EMAIL_DOMAIN}"
    )


def foreign_data() -> str:
    """What the database holds that this command did not make, e.g. "3 talks, 2 users"."""
    querysets = {
        "series": Series.objects.exclude(slug__startswith=MARK),
        "speakers": Speaker.objects.exclude(slug__startswith=MARK),
        "tags": Tag.objects.exclude(slug__startswith=MARK),
        "talks": Talk.objects.exclude(slug__startswith=MARK),
        "users": get_user_model().objects.exclude(pk__in=generated_users()),
    }
    counts = {name: queryset.count() for name, queryset in querysets.items()}
    return ", ".join(f"{count} {name}" for name, count in counts.items() if count)


def delete_generated_data():
    # Other talks (kept by --force) may carry generated tags or speakers.
    other_talks = Talk.objects.exclude(slug__startswith=MARK)
    renamed = list(
        other_talks.filter(
            Q(tags__slug__startswith=MARK) | Q(speakers__slug__startswith=MARK)
        ).values_list("pk", flat=True)
    )
    # Talks (with their comments) before their series, which protect them.
    for queryset in (
        Talk.objects.filter(slug__startswith=MARK),
        Series.objects.filter(slug__startswith=MARK),
        Speaker.objects.filter(slug__startswith=MARK),
        Tag.objects.filter(slug__startswith=MARK),
        generated_users(),
    ):
        delete_without_signals(queryset)
    refresh_search_names(renamed)


def delete_without_signals(queryset):
    """Delete these rows and what cascades from them: one statement a table, no signals.

    QuerySet.delete() sends signals for every row, and the page cache and search
    answer each (pagecache.signals, seminars.search): minutes for 200,000 rows.
    The command calls site_changed() once instead. Django's deletion also
    refuses to delete a comment with replies (Comment.parent is PROTECT) even
    when the replies go too; here all comments of a talk go in one statement.
    Rows of other data still pointing at a PROTECT relation make the
    transaction fail, so nothing is half-deleted.
    """
    model = queryset.model
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        if relation.related_model is model:
            continue  # replies: deleted in the same statement as their parents
        field = relation.field.name
        pointing = relation.related_model._base_manager.filter(**{f"{field}__in": queryset})
        if relation.on_delete is models.CASCADE:
            delete_without_signals(pointing)
        elif relation.on_delete is models.SET_NULL:
            pointing.update(**{field: None})
    # Django's own single-statement delete, as its deletion collector uses for fast deletes.
    queryset._raw_delete(queryset.db)


def update_planner_statistics():
    """Fresh tables have no statistics; without them PostgreSQL plans the first queries badly."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # VACUUM also clears out deleted rows, but cannot run inside a transaction (tests).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def summary(seconds: float) -> str:
    talks = Talk.objects.filter(slug__startswith=MARK)
    busiest = talks.annotate(n=Count("comments")).order_by("-n").values_list("n", flat=True)[:1]
    largest = (
        Tag.objects.filter(slug__startswith=MARK)
        .annotate(n=Count("talks"))
        .order_by("-n")
        .values_list("n", flat=True)[:1]
    )
    comments = Comment.objects.filter(talk__in=talks).count()
    return (
        f"Generated {talks.count()} talks and {comments} comments in {seconds:.1f} s; "
        f"the busiest talk has {next(iter(busiest), 0)} comments, "
        f"the largest tag {next(iter(largest), 0)} talks."
    )


def weighted_picker(rng, weights):
    """A function giving k random indexes, each with probability proportional to its weight."""
    cumulative = list(accumulate(weights))
    indexes = range(len(weights))
    return lambda k: rng.choices(indexes, cum_weights=cumulative, k=k)


def distinct_picks(pick, count):
    """`count` distinct indexes from a weighted picker (fewer if it keeps repeating)."""
    chosen = []
    for index in pick(count * 3):
        if index not in chosen:
            chosen.append(index)
            if len(chosen) == count:
                break
    return chosen


def zipf_weights(count, exponent=1.0):
    return [1 / (rank + 1) ** exponent for rank in range(count)]


class Generator:
    """Builds and bulk-inserts one data set; all randomness comes from one seeded Random."""

    def __init__(self, options, today):
        # Made-up data, not secrets: a seeded, reproducible generator is the point.
        self.rng = random.Random(options["seed"])  # noqa: S311  # nosec B311
        self.sizes = options
        self.anchor = datetime.datetime.combine(today, datetime.time(), tzinfo=datetime.UTC)

    def run(self):
        self.words = {
            "area": AREAS,
            "area2": AREAS,
            "adjective": [word.lower() for word in ADJECTIVES],
            "subject": SUBJECTS,
            "object": OBJECTS,
        }
        self.users = self.create_users()
        self.series = self.create_series()
        self.tags = self.create_tags()
        self.speakers = self.create_speakers()
        self.talks = self.create_talks()
        self.create_follows()
        self.create_comments()

    def fill(self, template):
        values = {name: self.rng.choice(options) for name, options in self.words.items()}
        return template.format(**values)

    def person_name(self):
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def create_users(self):
        users = [
            get_user_model()(
                username=f"{MARK}user-{number}",
                email=f"user{number}@{EMAIL_DOMAIN}",
                display_name=self.person_name(),
                # Nobody can sign in as a generated user (bench/ sets a password on one).
                password=make_password(None),
                email_weekly_digest=self.rng.random() < 0.3,
            )
            for number in range(self.sizes["users"])
        ]
        users = get_user_model().objects.bulk_create(users, batch_size=BATCH_SIZE)
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            ],
            batch_size=BATCH_SIZE,
        )
        return users

    def create_series(self):
        moderation = [Series.Moderation.NONE] * 3 + [
            Series.Moderation.FIRST_TIME,
            Series.Moderation.ALL,
        ]
        series = Series.objects.bulk_create(
            Series(
                name=f"{self.rng.choice(AREAS)} seminar {number + 1}",
                slug=f"{MARK}series-{number + 1}",
                description=self.fill(SENTENCES[0]),
                timezone=self.rng.choice(TIME_ZONES),
                comment_moderation=self.rng.choice(moderation),
            )
            for number in range(self.sizes["series"])
        )
        self.make_organisers(series)
        return series

    def make_organisers(self, series):
        """One to three staff organisers a series, taken from the first users."""
        organisers = self.users[: len(series) * 3]
        links = []
        for index, one in enumerate(series):
            team = organisers[index * 3 : index * 3 + self.rng.randint(1, 3)]
            links += [Series.organisers.through(series=one, user=user) for user in team]
        team_ids = {link.user_id for link in links}
        get_user_model().objects.filter(pk__in=team_ids).update(is_staff=True)
        group = Group.objects.get(name=ORGANISERS_GROUP)
        group.user_set.add(*team_ids)
        Series.organisers.through.objects.bulk_create(links)
        self.organisers_of = {}
        for link in links:
            self.organisers_of.setdefault(link.series_id, []).append(link.user_id)

    def create_tags(self):
        names = []
        for number in range(self.sizes["tags"]):
            area = AREAS[number % len(AREAS)]
            qualifier = QUALIFIERS[number // len(AREAS) % len(QUALIFIERS)]
            name = f"{qualifier.capitalize()} {area.lower()}" if qualifier else area
            cycle = number // (len(AREAS) * len(QUALIFIERS))
            names.append(f"{name} {cycle + 1}" if cycle else name)
        # Popularity follows the shuffled order, so the busiest tags are not always the same.
        self.rng.shuffle(names)
        return Tag.objects.bulk_create(
            [Tag(name=name, slug=f"{MARK}{slugify(name)}") for name in names],
            batch_size=BATCH_SIZE,
        )

    def create_speakers(self):
        speakers = []
        for number in range(self.sizes["speakers"]):
            name = self.person_name()
            speakers.append(
                Speaker(
                    name=name,
                    slug=f"{MARK}{slugify(name)}-{number + 1}",
                    affiliation=f"Department of {self.rng.choice(AREAS)}, University {number % 97}",
                )
            )
        return Speaker.objects.bulk_create(speakers, batch_size=BATCH_SIZE)

    def abstracts(self):
        """DISTINCT_ABSTRACTS (source, rendered HTML) pairs."""
        texts = []
        for _ in range(DISTINCT_ABSTRACTS):
            sentences = self.rng.sample(SENTENCES, self.rng.randint(3, 6))
            texts.append(" ".join(self.fill(sentence) for sentence in sentences))
        return [(text, render_abstract(text)) for text in texts]

    def talk_start(self, weeks_back, weeks_ahead):
        days = self.rng.uniform(-weeks_back * 7, weeks_ahead * 7)
        hour = self.rng.randint(9, 17)
        minutes = self.rng.choice((0, 30))
        day = self.anchor + datetime.timedelta(days=int(days))
        return day + datetime.timedelta(hours=hour, minutes=minutes)

    def talk_status(self):
        draw = self.rng.random()
        if draw < 0.06:
            return Talk.Status.DRAFT
        return Talk.Status.CANCELLED if draw < 0.12 else Talk.Status.PUBLISHED

    def create_talks(self):
        count = self.sizes["talks"]
        weeks = count / TALKS_PER_WEEK
        weeks_ahead = min(UPCOMING_WEEKS, weeks * MOST_UPCOMING_SHARE)
        abstracts = self.abstracts()
        series_picker = weighted_picker(self.rng, zipf_weights(len(self.series), 0.5))
        talks = []
        for number, series_index in enumerate(series_picker(count)):
            title = (
                f"{self.rng.choice(ADJECTIVES)} {self.rng.choice(SUBJECTS)} for "
                f"{self.rng.choice(OBJECTS)}"
            )
            abstract, abstract_html = self.rng.choice(abstracts)
            start = self.talk_start(weeks - weeks_ahead, weeks_ahead)
            past = start < self.anchor
            talks.append(
                Talk(
                    series=self.series[series_index],
                    title=title,
                    slug=f"{MARK}{slugify(title)[:150]}-{number + 1}",
                    abstract=abstract,
                    abstract_html=abstract_html,
                    abstract_html_version=RENDERER_VERSION,
                    start=start,
                    end=start + datetime.timedelta(hours=1),
                    venue=self.rng.choice(VENUES),
                    online_url="https://meet.example.org/seminar" if number % 3 else "",
                    recording_url="https://video.example.org/talk" if past and number % 4 else "",
                    status=self.talk_status(),
                )
            )
        self.link_speakers_and_tags(talks)
        return Talk.objects.bulk_create(talks, batch_size=BATCH_SIZE)

    def link_speakers_and_tags(self, talks):
        """Pick each talk's speakers and tags, and fill its search_names to match.

        The links are stored once the talks have ids (see create_follows).
        """
        speaker_picker = weighted_picker(self.rng, zipf_weights(len(self.speakers), 0.6))
        tag_picker = weighted_picker(self.rng, zipf_weights(len(self.tags), TAG_ZIPF_EXPONENT))
        self.talk_links = []
        for talk in talks:
            speakers = [
                self.speakers[index]
                for index in distinct_picks(speaker_picker, self.rng.choice((1, 1, 1, 2, 2, 3)))
            ]
            tags = [
                self.tags[index] for index in distinct_picks(tag_picker, self.rng.randint(1, 4))
            ]
            # The order of seminars.search.names_of: speakers, then tags, each by name.
            names = sorted(speaker.name for speaker in speakers)
            names += sorted(tag.name for tag in tags)
            talk.search_names = "\n".join(names)
            self.talk_links.append((speakers, tags))

    def create_follows(self):
        """The talks' speakers and tags, and the tags and series users follow."""
        speaker_links, tag_links = [], []
        for talk, (speakers, tags) in zip(self.talks, self.talk_links, strict=True):
            speaker_links += [
                Talk.speakers.through(talk=talk, speaker=s, position=position)
                for position, s in enumerate(speakers)
            ]
            tag_links += [Talk.tags.through(talk=talk, tag=tag) for tag in tags]
        Talk.speakers.through.objects.bulk_create(speaker_links, batch_size=BATCH_SIZE)
        Talk.tags.through.objects.bulk_create(tag_links, batch_size=BATCH_SIZE)
        user_model = get_user_model()
        tag_picker = weighted_picker(self.rng, zipf_weights(len(self.tags)))
        followed_tags, followed_series = [], []
        for user in self.users:
            followed_tags += [
                user_model.followed_tags.through(user=user, tag=self.tags[index])
                for index in distinct_picks(tag_picker, self.rng.randint(0, 3))
            ]
            if self.rng.random() < 0.3:
                series = self.rng.choice(self.series)
                followed_series.append(user_model.followed_series.through(user=user, series=series))
        user_model.followed_tags.through.objects.bulk_create(followed_tags, batch_size=BATCH_SIZE)
        user_model.followed_series.through.objects.bulk_create(followed_series)

    def comments_per_talk(self):
        """How many comments each public talk gets: a few hot talks, then a long tail."""
        public = [talk for talk in self.talks if talk.status != Talk.Status.DRAFT]
        if not public:
            return {}
        total = self.sizes["comments"]
        hot_count = max(1, round(len(public) * HOT_TALKS_PER_TALK))
        per_hot_talk = min(round(HOT_TALK_FACTOR * total / len(public)), total // (2 * hot_count))
        counts = dict.fromkeys(public, 0)
        past = [talk for talk in public if talk.start < self.anchor] or public
        for talk in self.rng.sample(past, min(hot_count, len(past))):
            counts[talk] = per_hot_talk
        # Upcoming talks draw less discussion than past ones.
        weights = [
            self.rng.expovariate(1) ** 2 * (1 if talk.start < self.anchor else 0.2)
            for talk in public
        ]
        for index in weighted_picker(self.rng, weights)(total - sum(counts.values())):
            counts[public[index]] += 1
        return counts

    def create_comments(self):
        """Top-level comments first (replies need their ids), then the replies."""
        texts = [
            self.fill("\n\n".join(self.rng.sample(COMMENT_LINES, 2)))
            for _ in range(DISTINCT_BODIES)
        ]
        bodies = [(text, render_comment(text)) for text in texts]
        author_picker = weighted_picker(self.rng, zipf_weights(len(self.users), 0.8))
        threads = []
        for talk, count in self.comments_per_talk().items():
            replies = sum(self.rng.random() < REPLY_SHARE for _ in range(count))
            if count - replies == 0:
                replies = 0
            threads.append((talk, count - replies, replies))
        top_level = []
        for talk, top_count, _ in threads:
            top_level.append([self.comment(talk, bodies, author_picker) for _ in range(top_count)])
        flat = [comment for thread in top_level for comment in thread]
        Comment.objects.bulk_create(flat, batch_size=BATCH_SIZE)
        replies = []
        for (talk, _, reply_count), parents in zip(threads, top_level, strict=True):
            for _ in range(reply_count):
                reply = self.comment(talk, bodies, author_picker)
                reply.parent = self.rng.choice(parents)
                replies.append(reply)
        Comment.objects.bulk_create(replies, batch_size=BATCH_SIZE)

    def comment(self, talk, bodies, author_picker):
        body, body_html = self.rng.choice(bodies)
        comment = Comment(
            talk=talk, body=body, body_html=body_html, body_html_version=RENDERER_VERSION
        )
        draw = self.rng.random()
        if draw >= DELETED_AUTHOR_SHARE:
            comment.author = self.users[author_picker(1)[0]]
        draw = self.rng.random()
        if draw < HELD_SHARE:
            comment.status = Comment.Status.HELD
            comment.held_reason = self.rng.choice(HELD_REASONS)
        elif draw < HELD_SHARE + REMOVED_SHARE:
            comment.removed = True
            comment.removed_by_id = self.rng.choice(self.organisers_of[talk.series_id])
            comment.removal_reason = self.rng.choice(REMOVAL_REASONS)
        return comment
