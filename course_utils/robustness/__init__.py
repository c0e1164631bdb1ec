"""Beyond explanations: adversarial attacks (:mod:`.adversarial`) and group fairness (:mod:`.fairness`)."""
