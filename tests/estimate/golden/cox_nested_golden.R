# Golden values for Cox models with covariates nested in the clusters: R survival::coxph
# with cluster = (Lin-Wei robust variance, no small-sample factor).
# Run from this folder:  Rscript cox_nested_golden.R
#   (writes cox_nested_data.csv and cox_nested_golden.json). R 4.2.2, survival 3.5-3.
#
# With clusters = g and the dummies of g among the covariates, each dummy's column,
# restricted to any one cluster, lies in the span of the covariates and the baseline
# hazard: the cluster's own contribution to the dummy's score is fixed by the fit, and
# coxph's robust SE for it (`se`, z of 10 and more) measures only the other clusters
# through the risk-set means. `meat_ratio` (cluster meat diagonal / row meat diagonal
# of the score residuals) shows that, unlike in a GLM, the meat is not zero there
# (about 1e-3), so the numbers cannot tell: policydiffusion reads nesting from the
# design and marks those SEs; x keeps its SE (compared to `se`). Controls: z constant
# within clusters, and region dummies with clusters nested in regions, are not nested.
suppressPackageStartupMessages({library(survival); library(jsonlite)})

set.seed(20261208)
G <- 8
units <- 400
z_of <- round(rnorm(G, 0, 0.4), 6)
rows <- list()
for (u in seq_len(units)) {
  g <- (u - 1) %% G
  for (t in 1:10) {
    x <- round(rnorm(1), 6)
    ev <- rbinom(1, 1, plogis(-2.5 + 0.5 * x + 0.3 * (g %% 3) + z_of[g + 1]))
    rows[[length(rows) + 1]] <- data.frame(unit = u, g = g, region = g %/% 2,
                                           stratum = u %% 3, z = z_of[g + 1],
                                           start = t - 1, stop = t, event = ev, x = x)
    if (ev == 1) break
  }
}
d <- do.call(rbind, rows)
write.csv(d, "cox_nested_data.csv", row.names = FALSE)

ctl <- coxph.control(eps = 1e-13, iter.max = 100, toler.chol = 1e-15)
one <- function(f, cl) {
  dd <- d
  dd$cl_ <- d[[cl]]
  fit <- coxph(f, data = dd, ties = "efron", control = ctl, cluster = cl_, model = TRUE)
  r <- residuals(fit, type = "score")
  list(terms = names(coef(fit)), estimate = unname(coef(fit)),
       se = unname(sqrt(diag(fit$var))),
       meat_ratio = unname(colSums(rowsum(r, d[[cl]])^2) / colSums(r^2)))
}
out <- list(
  dummies = one(Surv(start, stop, event) ~ x + factor(g), "g"),
  dummies_strata = one(Surv(start, stop, event) ~ x + factor(g) + strata(stratum), "g"),
  cluster_level = one(Surv(start, stop, event) ~ x + z, "g"),
  region = one(Surv(start, stop, event) ~ x + factor(region), "g"))
write_json(out, "cox_nested_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
