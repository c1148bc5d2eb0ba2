"""A fast random walk over the grammar, driven by a Hypothesis-controlled ``random.Random``.

Hypothesis's own ``from_lark`` draws every symbol through its engine, which takes about a
fifth of a second per rule here; this walk takes microseconds, so the properties can run
on hundreds of texts within the test budget. (One property still uses ``from_lark``.)
"""

from collections import defaultdict


class GrammarSampler:
    def __init__(self, lark_obj, terminals, start="rule", separators=(" ",)):
        _, rules, _ = lark_obj.grammar.compile([start], ())
        self.start = start
        self.terminals = terminals
        self.separators = separators
        self.expansions = defaultdict(list)
        for rule in rules:
            self.expansions[rule.origin.name].append([(s.name, s.is_term) for s in rule.expansion])
        # The shallowest depth each nonterminal can finish in, to stop recursion.
        self.depth = {}
        changed = True
        while changed:
            changed = False
            for name, options in self.expansions.items():
                for option in options:
                    needed = [self.depth.get(s, None) for s, is_term in option if not is_term]
                    if None in needed:
                        continue
                    d = 1 + max(needed, default=0)
                    if d < self.depth.get(name, 10**9):
                        self.depth[name] = d
                        changed = True

    def sample(self, rnd, max_depth=7) -> str:
        out = []
        self._walk(self.start, rnd, max_depth, out)
        return "".join(out)

    def _walk(self, name, rnd, budget, out):
        options = self.expansions[name]
        if budget <= 0:
            best = min(self._option_depth(o) for o in options)
            options = [o for o in options if self._option_depth(o) == best]
        option = rnd.choice(options)
        for symbol, is_term in option:
            if is_term:
                out.append(self.terminals[symbol](rnd))
                out.append(rnd.choice(self.separators))
            else:
                self._walk(symbol, rnd, budget - 1, out)

    def _option_depth(self, option):
        return max((self.depth[s] for s, is_term in option if not is_term), default=0)
