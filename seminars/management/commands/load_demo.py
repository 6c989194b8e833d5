"""Demo content written for this project: one series, ten talks, five tags, a few comments.

Idempotent: running it again updates the same rows instead of adding new ones.
Talk dates are placed around today, so the demo always has upcoming and past talks.
"""

import datetime
import zoneinfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from seminars.models import Comment, Series, Speaker, Tag, Talk, set_speakers

SERIES = {
    "slug": "applied-maths-ml",
    "name": "Applied Mathematics and Machine Learning Seminar",
    "timezone": "Europe/London",
    "description": (
        "A weekly seminar on the mathematics of learning, flows and randomness. "
        "Talks are on Thursdays at 16:00, in person and online."
    ),
    # Its defaults, which new talks (added or generated in the admin) start from.
    "default_weekday": Series.Weekday.THURSDAY,
    "default_start_time": datetime.time(16, 0),
    "default_venue": "Lecture Theatre 2, Mathematics Building",
    "default_online_url": "https://meet.example.org/applied-maths-ml",
}

TAGS = {
    "machine-learning": "Machine learning",
    "fluids": "Fluids",
    "probability": "Probability",
    "number-theory": "Number theory",
    "mathematical-physics": "Mathematical physics",
}

SPEAKERS = {
    "ada-okafor": ("Ada Okafor", "Department of Statistics, Northgate University"),
    "bram-van-leeuwen": ("Bram van Leeuwen", "Institute for Fluid Dynamics, Delft Lowlands"),
    "chiara-russo": ("Chiara Russo", "School of Mathematics, Riverside College"),
    "dmitri-sokolov": ("Dmitri Sokolov", "Centre for Theoretical Physics, Eastbrook"),
    "emily-tanaka": ("Emily Tanaka", "Computer Science, Harbour Institute of Technology"),
    "farid-haddad": ("Farid Haddad", "Number Theory Group, Westfield University"),
}

# (slug, title, speakers, tags, weeks from this week's Thursday, status, abstract)
TALKS = [
    (
        "implicit-bias-of-gradient-descent",
        "The implicit bias of gradient descent in wide networks",
        ["emily-tanaka"],
        ["machine-learning"],
        -5,
        "published",
        "Why do over-parameterised networks generalise? We show that gradient descent on a "
        "two-layer network of width $m$ converges, as $m \\to \\infty$, to the minimum-norm "
        "interpolant in a reproducing kernel Hilbert space.\n\n"
        "The proof controls the distance $\\|\\theta_t - \\theta_0\\|_2 = O(m^{-1/2})$ along "
        "the whole trajectory.",
    ),
    (
        "vortex-rings-and-their-instabilities",
        "Vortex rings and their instabilities",
        ["bram-van-leeuwen"],
        ["fluids", "mathematical-physics"],
        -4,
        "published",
        "A thin vortex ring of radius $R$ and core radius $a$ travels at speed\n\n"
        "$$U = \\frac{\\Gamma}{4\\pi R}\\left(\\log\\frac{8R}{a} - \\frac{1}{4}\\right).$$\n\n"
        "We revisit the Widnall instability with new laboratory measurements and direct "
        "numerical simulation.",
    ),
    (
        "random-matrices-and-the-riemann-zeta-function",
        "Random matrices and the Riemann zeta function",
        ["farid-haddad", "chiara-russo"],
        ["number-theory", "probability"],
        -3,
        "published",
        "The moments $\\frac{1}{T}\\int_0^T |\\zeta(\\tfrac12 + it)|^{2k}\\,dt$ are predicted by "
        "the characteristic polynomials of random unitary matrices. We survey what is proved "
        "and what is still conjecture for $k \\geq 3$.",
    ),
    (
        "optimal-transport-for-generative-models",
        "Optimal transport for generative models",
        ["ada-okafor"],
        ["machine-learning", "probability"],
        -2,
        "cancelled",
        "Flow matching trains a vector field $v_t$ whose flow pushes a Gaussian onto the data "
        "distribution. We compare straight couplings with the optimal transport plan.",
    ),
    (
        "turbulent-boundary-layers",
        "Coherent structures in turbulent boundary layers",
        ["bram-van-leeuwen"],
        ["fluids"],
        -1,
        "published",
        "Near a wall, turbulence organises into streaks and hairpin vortices. We ask which of "
        "these structures carry the Reynolds stress $-\\overline{u'v'}$ and which are "
        "bystanders.",
    ),
    (
        "concentration-inequalities-for-dependent-data",
        "Concentration inequalities for dependent data",
        ["ada-okafor"],
        ["probability", "machine-learning"],
        1,
        "published",
        "For a Markov chain with spectral gap $\\gamma$, we prove a Bernstein inequality\n\n"
        "$$\\mathbb{P}\\left(\\left|\\frac{1}{n}\\sum_{i=1}^n f(X_i) - \\pi(f)\\right| > t\\right) "
        "\\leq 2\\exp\\left(-\\frac{n\\gamma t^2}{4\\sigma^2 + 10 t}\\right)$$\n\n"
        "and apply it to stochastic gradient methods.",
    ),
    (
        "supersymmetric-gauge-theories",
        "Exact results in maximally supersymmetric Yang–Mills theory",
        ["dmitri-sokolov"],
        ["mathematical-physics"],
        2,
        "published",
        "Planar $\\mathcal{N}=4$ super Yang–Mills theory is integrable. We explain how the "
        "quantum spectral curve computes anomalous dimensions at any coupling $\\lambda$, "
        "with no knowledge of string theory assumed.",
    ),
    (
        "transformers-as-dynamical-systems",
        "Transformers as interacting particle systems",
        ["emily-tanaka", "dmitri-sokolov"],
        ["machine-learning", "mathematical-physics"],
        3,
        "published",
        "Viewing tokens as particles on the sphere $S^{d-1}$, self-attention becomes a "
        "mean-field interaction. We show that tokens cluster as depth grows, and discuss "
        "what this means for long contexts.",
    ),
    (
        "primes-in-short-intervals",
        "Primes in short intervals",
        ["farid-haddad"],
        ["number-theory"],
        4,
        "published",
        "Does every interval $[x, x + x^{\\theta}]$ contain a prime for large $x$? We present "
        "the current record for $\\theta$ and the sieve ideas behind it.",
    ),
    (
        "draft-stochastic-pdes",
        "Regularity structures for stochastic PDEs (to be confirmed)",
        ["chiara-russo"],
        ["probability"],
        5,
        "draft",
        "Details to follow.",
    ),
]

USERS = {
    "maria.demo@example.org": "Maria (demo)",
    "tom.demo@example.org": "Tom (demo)",
}

COMMENTS = [
    (
        "implicit-bias-of-gradient-descent",
        "maria.demo@example.org",
        "Does the $O(m^{-1/2})$ bound still hold with weight decay?",
    ),
    (
        "implicit-bias-of-gradient-descent",
        "tom.demo@example.org",
        "It does, as long as the decay is smaller than the learning rate.\n"
        "The slides cover this near the end.",
    ),
    (
        "vortex-rings-and-their-instabilities",
        "tom.demo@example.org",
        "The experiment videos were wonderful. Will the recording be posted?",
    ),
    (
        "concentration-inequalities-for-dependent-data",
        "maria.demo@example.org",
        "Looking forward to this one.",
    ),
]


class Command(BaseCommand):
    help = "Load (or refresh) the demo series, talks, tags, speakers and comments."

    @transaction.atomic
    def handle(self, *args, **options):
        series, _ = Series.objects.update_or_create(slug=SERIES["slug"], defaults=SERIES)
        tags = {
            slug: Tag.objects.update_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in TAGS.items()
        }
        speakers = {
            slug: Speaker.objects.update_or_create(
                slug=slug, defaults={"name": name, "affiliation": affiliation}
            )[0]
            for slug, (name, affiliation) in SPEAKERS.items()
        }
        talks = {}
        this_thursday = self.this_weeks_thursday_at_four(series.timezone)
        for slug, title, speaker_slugs, tag_slugs, weeks, status, abstract in TALKS:
            start = this_thursday + datetime.timedelta(weeks=weeks)
            talk, _ = Talk.objects.update_or_create(
                slug=slug,
                defaults={
                    "series": series,
                    "title": title,
                    "abstract": abstract,
                    "start": start,
                    "end": start + datetime.timedelta(hours=1),
                    "venue": "Lecture Theatre 2, Mathematics Building",
                    "online_url": "https://meet.example.org/applied-maths-ml",
                    "status": status,
                },
            )
            set_speakers(talk, [speakers[s] for s in speaker_slugs])
            talk.tags.set([tags[t] for t in tag_slugs])
            talks[slug] = talk
        users = {email: self.demo_user(email, name) for email, name in USERS.items()}
        for talk_slug, email, body in COMMENTS:
            Comment.objects.get_or_create(talk=talks[talk_slug], author=users[email], body=body)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(talks)} talks, {len(tags)} tags, {len(COMMENTS)} comments."
            )
        )

    @staticmethod
    def this_weeks_thursday_at_four(zone_name):
        zone = zoneinfo.ZoneInfo(zone_name)
        today = timezone.now().astimezone(zone).date()
        thursday = today + datetime.timedelta(days=3 - today.weekday())
        return datetime.datetime.combine(thursday, datetime.time(16, 0), tzinfo=zone)

    @staticmethod
    def demo_user(email, display_name):
        """A commenter with a verified address and no password: nobody can log in as them."""
        user, created = get_user_model().objects.get_or_create(
            username=email.split("@")[0],
            defaults={"email": email, "display_name": display_name},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user
