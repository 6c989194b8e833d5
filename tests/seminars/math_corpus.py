r"""Formulas as mathematicians and ML researchers write them in abstracts and comments.

Written for these tests, grouped by the constructs issue #11 lists; each must render
inline and in display without falling back to its source. The first four fell back
under latex2mathml.
"""

FAILED_BEFORE = [
    r"\begin{pmatrix}a&b\\c&d\end{pmatrix}^{-1}",
    r"\begin{aligned} f(x) &= x^2 + 1 \\ &\geq 1 \end{aligned}",
    r"\arg\min_{w} \tfrac12\|w\|^2",
    r"\Big\| x - y \Big\|",
]

ENVIRONMENTS = [
    r"\begin{matrix} 1 & 0 \\ 0 & 1 \end{matrix}",
    r"\begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{pmatrix}",
    r"\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}",
    r"\begin{vmatrix} a & b \\ c & d \end{vmatrix} = ad - bc",
    r"\begin{Vmatrix} x \end{Vmatrix}",
    r"\begin{Bmatrix} a \end{Bmatrix}",
    r"|x| = \begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases}",
    r"f(n) = \begin{cases} n/2 & n \text{ even} \\ 3n+1 & n \text{ odd} \end{cases}",
    r"\begin{aligned} a &= b + c \\ &= d \end{aligned}",
    r"\begin{gathered} x + y = 1 \\ x - y = 0 \end{gathered}",
    r"\begin{array}{c|l} a & b \\ \hline c & d \end{array}",
    r"\begin{array}{rcl} x & = & 1 \\ y & = & 2 \end{array}",
    r"\begin{smallmatrix} a & b \\ c & d \end{smallmatrix}",
    r"A = \left[\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}\right]",
    r"\begin{alignedat}{2} x &= 1 &\quad y &= 2 \end{alignedat}",
    r"\begin{pmatrix} x_{11} & \cdots \\ \vdots & \ddots \\ x_{m1} & \cdots \end{pmatrix}",
]

FRACTIONS_AND_SIZES = [
    r"\tfrac{1}{2} + \dfrac{a}{b}",
    r"\dfrac{\partial f}{\partial x}",
    r"\frac{1}{1 + \frac{1}{x}}",
    r"\cfrac{1}{1 + \cfrac{1}{2}}",
    r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
    r"\tbinom{n}{2} \dbinom{n}{3}",
    r"\big( \Big( \bigg( \Bigg(",
    r"\Bigg) \bigg) \Big) \big)",
    r"\big| x \big| \Big\{ y \Big\}",
    r"\bigl( a \bigr) \Bigl[ b \Bigr] \biggl\langle c \biggr\rangle",
    r"\left( \frac{a}{b} \right)^2",
    r"\left\{ x : x > 0 \right\}",
    r"\left\langle u, v \right\rangle",
    r"\left. \frac{df}{dx} \right|_{x=0}",
    r"\left\lfloor \frac{n}{2} \right\rfloor + \left\lceil \frac{n}{2} \right\rceil",
    r"\left\| x \right\|_2",
    r"\left( -x \right)",
    r"\sqrt{2} \sqrt[3]{x} \sqrt{\frac{a}{b}}",
]

OPERATORS = [
    r"\sum_{i=1}^{n} x_i",
    r"\prod_{p \text{ prime}} \frac{1}{1 - p^{-s}}",
    r"\int_0^1 f(x)\,dx",
    r"\iint_D f \, dA",
    r"\oint_\gamma \omega",
    r"\bigcup_{n} A_n \cap \bigcap_{k} B_k",
    r"\bigoplus_{i} V_i",
    r"\lim_{n \to \infty} a_n = 0",
    r"\limsup_{n \to \infty} x_n",
    r"\liminf_{n} x_n",
    r"\sup_{0 \le t \le T} |X_t|",
    r"\inf_{x \in K} f(x)",
    r"\max_{i} \lambda_i",
    r"\min_{\theta} L(\theta)",
    r"\operatorname{tr}(A)",
    r"\operatorname{rank} A + \operatorname{dim} \ker A",
    r"\operatorname*{arg\,max}_{x} f(x)",
    r"\operatorname{Var}(X) = \mathbb{E}[X^2] - \mathbb{E}[X]^2",
    r"\sin x + \cos y + \tan z",
    r"\log n \ln x \exp(x)",
    r"2\exp(-t^2)",
    r"\det(A) \gcd(a, b)",
    r"\Pr(X > t)",
    r"\deg p \hom(V, W)",
    r"\sum\limits_{k} a_k \int\nolimits_0^1",
    r"\sum_{\substack{0 \le i \le m \\ 0 < j < n}} P(i, j)",
    r"\sum_{\substack{p \le x \\ p \text{ prime}}} \log p",
    r"\lim_{h \to 0} \frac{f(x+h) - f(x)}{h}",
    r"\max_{\|x\| \le 1} \langle x, Ay \rangle",
    r"\operatorname*{ess\,sup}_{x} |f(x)|",
]

BRACES_ARROWS_BOXES = [
    r"\underbrace{a + \cdots + a}_{n \text{ times}}",
    r"\overbrace{1 + 2 + \cdots + n}^{n(n+1)/2}",
    r"\xrightarrow{f} \xleftarrow[g]{h}",
    r"A \xrightarrow{\sim} B",
    r"\boxed{E = mc^2}",
    r"\overline{z} \underline{w}",
    r"\overrightarrow{AB} \overleftarrow{CD}",
    r"f: X \to Y, \; x \mapsto f(x)",
    r"A \Rightarrow B \iff C \Leftarrow D",
    r"x_n \rightharpoonup x",
    r"\hookrightarrow \twoheadrightarrow \longrightarrow",
    r"\uparrow \downarrow \leftrightarrow",
    r"\stackrel{?}{=} \overset{\text{def}}{=} \underset{n}{\sim}",
    r"a \equiv b \pmod{p}",
    r"a \bmod b",
    r"x \pod{n}",
]

TEXT_AND_FONTS = [
    r"\text{for all } x > 0",
    r"x \in A \text{ and } y \notin B",
    r"\mathbb{R}^n \mathbb{N} \mathbb{Z} \mathbb{Q} \mathbb{C}",
    r"\mathcal{F}_t \mathcal{O}(n)",
    r"\mathfrak{g} \mathfrak{sl}_2",
    r"\mathscr{L} \mathscr{H}",
    r"\mathsf{T} \mathsf{P}",
    r"\mathbf{x} \boldsymbol{\beta}",
    r"\mathrm{d}x \mathit{diff}",
    r"\mathtt{code}",
    r"\textbf{bold} \textit{italic}",
    r"\mathrm{KL}(P \,\|\, Q)",
    r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
    r"\text{ReLU}(x) = \max(0, x)",
]

NEGATIONS_PRIMES_ACCENTS = [
    r"a \not= b",
    r"x \not\in A",
    r"A \not\subset B",
    r"\neq \notin \nleq \nsubseteq",
    r"f'(x) + f''(x) + f'''(x)",
    r"y^{\prime} g^{(n)}",
    r"\hat{x} \tilde{y} \bar{z} \vec{v} \dot{x} \ddot{y}",
    r"\widehat{xyz} \widetilde{abc}",
    r"\acute{a} \grave{e} \breve{u} \check{c}",
    r"\mathring{A}",
    r"\hat{\theta}_n \to \theta",
    r"\bar{x} = \frac{1}{n}\sum_i x_i",
]

GREEK_SYMBOLS_RELATIONS = [
    r"\alpha \beta \gamma \delta \epsilon \varepsilon",
    r"\Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Phi \Psi \Omega",
    r"\zeta \eta \theta \vartheta \iota \kappa \lambda \mu",
    r"\nu \xi \pi \rho \varrho \sigma \tau \upsilon \phi \varphi \chi \psi \omega",
    r"\le \ge \ll \gg \sim \simeq \approx \cong \propto",
    r"\subset \subseteq \supset \supseteq \in \ni",
    r"\forall \epsilon > 0 \, \exists \delta > 0",
    r"\infty \partial \nabla \emptyset \varnothing",
    r"\pm \mp \times \div \cdot \circ \bullet",
    r"\oplus \otimes \odot \wedge \vee",
    r"\perp \parallel \mid \nmid",
    r"\ldots \cdots \vdots \ddots",
    r"\aleph_0 \hbar \ell \Re \Im",
    r"\langle x, y \rangle",
    r"\lfloor x \rfloor \lceil y \rceil",
    r"\| x \|_2 \le \| x \|_1",
    r"|\zeta(s)|",
    r"\{ x \in \mathbb{R} : x^2 < 2 \}",
    r"x \vdash y \models z",
    r"\top \bot",
]

EVERYDAY = [
    r"E = mc^2",
    r"a^2 + b^2 = c^2",
    r"e^{i\pi} + 1 = 0",
    r"m \to \infty,",
    r"x_1, x_2, \ldots, x_n",
    r"f(x) = x^2 - 3x + 2;",
    r"\mathbb{P}(|X - \mu| \ge k\sigma) \le \frac{1}{k^2}",
    r"\mathbb{E}[X] = \int_\Omega X \, d\mathbb{P}",
    r"\nabla_\theta L(\theta_t)",
    r"\theta_{t+1} = \theta_t - \eta \nabla L(\theta_t)",
    r"\| \theta_t - \theta^* \|^2 \le (1 - \mu\eta)^t \| \theta_0 - \theta^* \|^2",
    r"p(x \mid y) = \frac{p(y \mid x) p(x)}{p(y)}",
    r"\mathcal{N}(\mu, \sigma^2)",
    r"X \sim \mathrm{Bernoulli}(p)",
    r"\hat{f}(\xi) = \int_{-\infty}^{\infty} f(x) e^{-2\pi i x \xi} \, dx",
    r"\zeta(s) = \sum_{n=1}^\infty n^{-s}",
    r"\Gamma(s) = \int_0^\infty t^{s-1} e^{-t} \, dt",
    r"\frac{d}{dt} \langle u, v \rangle = \langle \dot u, v \rangle + \langle u, \dot v \rangle",
    r"\partial_t u = \Delta u",
    r"-\Delta u + V u = \lambda u",
    r"\int_{\mathbb{R}^d} |\nabla u|^2 \, dx",
    r"H^1_0(\Omega) \subset L^2(\Omega)",
    r"\| f \|_{L^p} = \left( \int |f|^p \right)^{1/p}",
    r"O(n \log n)",
    r"\Theta(n^2) \quad \Omega(1)",
    r"\mathrm{softmax}(QK^\top / \sqrt{d_k}) V",
    r"W \in \mathbb{R}^{d \times k}",
    r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    r"\min_{w} \; \frac{1}{n} \sum_{i=1}^n \ell(w; x_i, y_i) + \lambda \|w\|_1",
    r"\operatorname{KL}(q \| p) = \int q \log \frac{q}{p}",
    r"\mathbb{1}_{\{X > 0\}}",
    r"x^{y^z} x_{i_j}",
    r"{}^t A \quad {}_n C_k",
    r"10^{-3} \approx 0.001",
    r"3.14159\ldots",
    r"\#\{p \le x\} \sim \frac{x}{\log x}",
    r"\frac{\pi^2}{6} = \sum_{n \ge 1} \frac{1}{n^2}",
    r"\sqrt{n}(\hat\theta_n - \theta) \Rightarrow \mathcal{N}(0, I^{-1})",
    r"a \,\cdot\, b \; c \quad d \qquad e \! f",
    r"\phantom{x} y \hphantom{z}",
    r"\cancel{x}",
    r"P \models \varphi \land \lnot \psi \lor \chi",
    r"\R^n \times \N \subset \C",
    r"\E[X] = \P(A) \Q \Z",
    r"\color{red}{x} + y",
]

# As in LaTeX, these environments exist only in display math.
DISPLAY_ONLY = [
    r"\begin{align*} \nabla \cdot E &= \rho/\varepsilon_0 \\ \nabla \cdot B &= 0 \end{align*}",
    r"\begin{split} (a+b)^2 &= a^2 + 2ab + b^2 \end{split}",
]

CORPUS = (
    FAILED_BEFORE
    + ENVIRONMENTS
    + FRACTIONS_AND_SIZES
    + OPERATORS
    + BRACES_ARROWS_BOXES
    + TEXT_AND_FONTS
    + NEGATIONS_PRIMES_ACCENTS
    + GREEK_SYMBOLS_RELATIONS
    + EVERYDAY
)
