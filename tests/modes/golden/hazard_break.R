# Golden values for policydiffusion.modes: the hazard ratio after / before a central
# (here: provincial) adoption from a piecewise-constant hazard model, fitted as a
# Poisson GLM on the unit-period risk set, log link, indicator "after" (Zhu & Zhang 2016).
# Data: Henan's prefectures and the 文明行为促进条例, monthly, break at Henan's own
# regulation (2020-07); written by make_hazard_data.py from the shipped data.
# Run from the repository root:  Rscript tests/modes/golden/hazard_break.R
library(jsonlite)
d <- read.csv("tests/modes/golden/henan_civilized.csv")
m <- glm(adopt ~ after, family = poisson(link = "log"), data = d,
         control = glm.control(epsilon = 1e-14, maxit = 100))  # converge fully: rare events
b <- coef(m)[["after"]]
se <- sqrt(vcov(m)["after", "after"])
ci <- confint.default(m, "after", level = 0.95)
out <- list(hazard_ratio = exp(b), log_hr_se = se, hazard_ratio_low = exp(ci[1]),
            hazard_ratio_high = exp(ci[2]), events_before = sum(d$adopt[d$after == 0]),
            exposure_before = sum(d$after == 0), events_after = sum(d$adopt[d$after == 1]),
            exposure_after = sum(d$after == 1), r_version = R.version.string)
write_json(out, "tests/modes/golden/hazard_break.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
