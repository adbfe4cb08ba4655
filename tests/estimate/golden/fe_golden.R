# Golden values for absorbed fixed effects: R glm with factor(policy) dummies + sandwich
# (fixest is not installable here; glm with dummies is the reference it reproduces).
# Run from this folder:  Rscript fe_golden.R   (writes fe_data.csv and fe_golden.json).
# R 4.2.2, sandwich 3.0.2.
suppressPackageStartupMessages({library(sandwich); library(jsonlite)})

set.seed(20261206)
n <- 4000
units <- sprintf("s%02d", 1:20)
d <- data.frame(policy = sprintf("p%02d", sample(1:25, n, TRUE)),
                state = sample(units, n, TRUE), year = sample(1990:1999, n, TRUE))
d$source <- vapply(d$state, function(s) sample(setdiff(units, s), 1), "")
d$x1 <- round(rnorm(n), 6)
d$x2 <- rbinom(n, 1, 0.4)
fe <- rnorm(25, -2, 0.8)
d$adopt <- rbinom(n, 1, plogis(fe[as.integer(substr(d$policy, 2, 3))] + 0.5 * d$x1 - 0.4 * d$x2))
d$x1[c(7, 70, 700)] <- NA
d$policy[c(11, 111)] <- NA
write.csv(d, "fe_data.csv", row.names = FALSE, na = "")

ctl <- glm.control(epsilon = 1e-14, maxit = 100)
se <- function(v) unname(sqrt(diag(v)))
out <- list()
for (lk in c("logit", "probit", "cloglog")) {
  fit <- glm(adopt ~ x1 + x2 + factor(policy), data = d, family = binomial(lk), control = ctl)
  out[[lk]] <- list(
    terms = names(coef(fit)), estimate = unname(coef(fit)), nobs = nobs(fit),
    loglik = as.numeric(logLik(fit)),
    se_classical = se(vcov(fit)),
    se_hc0 = se(vcovHC(fit, type = "HC0")),
    se_hc1 = se(vcovHC(fit, type = "HC1")),
    se_cluster_state = se(vcovCL(fit, cluster = ~state, type = "HC0", cadjust = TRUE)),
    se_cluster_regress_state = se(vcovCL(fit, cluster = ~state, type = "HC1", cadjust = TRUE)),
    se_cluster_state_year = se(vcovCL(fit, cluster = ~state + year, type = "HC0",
                                      cadjust = TRUE, multi0 = FALSE)),
    # policydiffusion applies the Cameron-Gelbach-Miller eigenvalue fix to an
    # indefinite multiway sandwich, as vcovCL(fix = TRUE) does
    se_cluster_state_year_fix = se(vcovCL(fit, cluster = ~state + year, type = "HC0",
                                          cadjust = TRUE, multi0 = FALSE, fix = TRUE)))
}
write_json(out, "fe_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
