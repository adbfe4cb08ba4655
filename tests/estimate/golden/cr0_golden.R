# Golden values for vcov kind "cluster-cr0" (tests/estimate/test_cluster_cr0.py):
# R glm + sandwich::vcovCL(type = "HC0", cadjust = FALSE) on the committed glm_panel.csv,
# and rms::robcov(lrm(...)) for the logit when rms is installed (it is the same CR0).
# Run from this folder:  Rscript cr0_golden.R   (writes cr0_golden.json)
suppressPackageStartupMessages({library(sandwich); library(jsonlite)})

d <- read.csv("glm_panel.csv", stringsAsFactors = FALSE)
d <- d[complete.cases(d[, c("adopt", "x1", "x2", "x3", "d", "region", "state", "year")]), ]
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
f <- adopt ~ x1 * d + x2 + x3 + region

out <- list(versions = list(R = R.version.string,
                            sandwich = as.character(packageVersion("sandwich"))))
for (lk in c("logit", "probit", "cloglog")) {
  fit <- glm(f, data = d, family = binomial(link = lk), control = ctl)
  one <- vcovCL(fit, cluster = ~state, type = "HC0", cadjust = FALSE)
  two <- vcovCL(fit, cluster = ~state + year, type = "HC0", cadjust = FALSE, multi0 = FALSE)
  stata <- vcovCL(fit, cluster = ~state, type = "HC0", cadjust = TRUE)
  out[[lk]] <- list(terms = names(coef(fit)), estimate = unname(coef(fit)),
                    n_clusters = length(unique(d$state)),
                    vcov_cr0_state = unname(one), vcov_cr0_state_year = unname(two),
                    vcov_stata_state = unname(stata))
}
if (requireNamespace("rms", quietly = TRUE)) {
  suppressPackageStartupMessages(library(rms))
  lf <- lrm(f, data = d, x = TRUE, y = TRUE, tol = 1e-14)
  rc <- robcov(lf, cluster = d$state)
  out$logit$vcov_robcov_state <- unname(as.matrix(vcov(rc)))
  out$versions$rms <- as.character(packageVersion("rms"))
}
write_json(out, "cr0_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
