# Golden values for terms nested in the clusters (fixed-effect dummies of the cluster
# variable, and the intercept beside them): R glm + sandwich::vcovCL.
# Run from this folder:  Rscript nested_golden.R   (writes nested_data.csv, nested_golden.json).
# R 4.2.2, sandwich 3.0.2.
#
# With clusters = policy and policy dummies, every policy's summed score is zero in the
# directions of the intercept and the dummies (each dummy's own first-order condition, and
# the dummies with the intercept span the cluster indicators), so the cluster meat has
# (numerically) zero rows there: `meat_ratio` (cluster meat diagonal / HC0 meat diagonal)
# shows it. vcovCL still reports numbers for those terms (`se_cluster_policy`); they come
# only through the covariances with x1 and x2 and are not standard errors. policydiffusion
# keeps the estimates and the x1, x2 standard errors (compared to these values) and marks
# the others "not identified (nested in clusters)".
suppressPackageStartupMessages({library(sandwich); library(jsonlite)})

set.seed(20261207)
n <- 3000
states <- sprintf("s%02d", 1:30)
region_of <- setNames(rep(c("north", "south", "east", "west", "centre"), each = 6), states)
d <- data.frame(policy = sprintf("p%02d", sample(1:12, n, TRUE)),
                state = sample(states, n, TRUE), year = sample(2000:2009, n, TRUE))
d$region <- unname(region_of[d$state])
d$x1 <- round(rnorm(n), 6)
d$x2 <- rbinom(n, 1, 0.4)
fe <- round(rnorm(12, -1.5, 0.6), 6)
d$adopt <- rbinom(n, 1, plogis(fe[as.integer(substr(d$policy, 2, 3))] + 0.5 * d$x1 - 0.4 * d$x2))
write.csv(d, "nested_data.csv", row.names = FALSE)

ctl <- glm.control(epsilon = 1e-14, maxit = 100)
se <- function(v) unname(sqrt(diag(v)))
ratio <- function(fit, cl) {
  ef <- estfun(fit)
  unname(colSums(rowsum(ef, cl)^2) / colSums(ef^2))
}
fit <- glm(adopt ~ x1 + x2 + factor(policy), data = d, family = binomial("logit"), control = ctl)
reg <- glm(adopt ~ x1 + x2 + factor(region), data = d, family = binomial("logit"), control = ctl)
out <- list(
  policy_fe = list(
    terms = names(coef(fit)), estimate = unname(coef(fit)), nobs = nobs(fit),
    se_cluster_policy = se(vcovCL(fit, cluster = ~policy, type = "HC0", cadjust = TRUE)),
    se_cluster_regress_policy = se(vcovCL(fit, cluster = ~policy, type = "HC1", cadjust = TRUE)),
    se_cluster_policy_year = se(vcovCL(fit, cluster = ~policy + year, type = "HC0",
                                       cadjust = TRUE, multi0 = FALSE, fix = TRUE)),
    se_cluster_state = se(vcovCL(fit, cluster = ~state, type = "HC0", cadjust = TRUE)),
    meat_ratio_policy = ratio(fit, d$policy),
    meat_ratio_state = ratio(fit, d$state)),
  # region dummies with clusters = states nested in regions: each region holds several
  # states, so the dummies' scores vary between clusters: identified, nothing to mark
  region_fe = list(
    terms = names(coef(reg)), estimate = unname(coef(reg)),
    se_cluster_state = se(vcovCL(reg, cluster = ~state, type = "HC0", cadjust = TRUE)),
    meat_ratio_state = ratio(reg, d$state)))
write_json(out, "nested_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
