# Golden values for the pooled subgroup-difference test (issue 10, item 3).
# Run from this folder: Rscript pooled_dyadic.R   (reads china_gap.csv, writes pooled_dyadic.json)
# china_gap.csv is written by make_china_gap.py (the shipped China example's risk set).
#
# One pooled logit in which the subgroup indicators g0 (performance gap < 10) and g1
# (>= 10) interact with every regressor, so its coefficients are the two subgroup
# fits' (checked below). The dyadic-robust variance (Fafchamps & Gubert 2007; Aronow,
# Samii & Assenova 2015) is computed by its definition, with no shortcut:
#   meat = sum over all pairs of rows (r, s) sharing a unit, on either side of the
#          dyad, of s_r s_s';  V = B^-1 meat B^-1, B the information; no small-sample factor.
# Here V has a negative eigenvalue, so the Cameron-Gelbach-Miller (2011) correction
# (negative eigenvalues set to 0) is applied too; both are written.
d <- read.csv("china_gap.csv", stringsAsFactors = FALSE)
d$g0 <- as.numeric(d$large == 0)
d$g1 <- as.numeric(d$large == 1)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
fit <- glm(adopt ~ 0 + g0 + g0:visits + g0:perf_gap + g0:duration +
             g1 + g1:visits + g1:perf_gap + g1:duration, family = binomial, data = d,
           control = ctl)
X <- model.matrix(fit)
S <- X * (d$adopt - fitted(fit))                 # score rows
share <- outer(d$unit, d$unit, "==") | outer(d$source, d$source, "==") |
         outer(d$unit, d$source, "==") | outer(d$source, d$unit, "==")
meat <- t(S) %*% (share * 1) %*% S
bread <- solve(crossprod(X * sqrt(fitted(fit) * (1 - fitted(fit)))))
V <- bread %*% meat %*% bread
V <- (V + t(V)) / 2
e <- eigen(V, symmetric = TRUE)
Vc <- e$vectors %*% diag(pmax(e$values, 0)) %*% t(e$vectors)
dimnames(Vc) <- dimnames(V)
a <- setNames(rep(0, ncol(X)), colnames(X))
a["g0:visits"] <- -1; a["visits:g1"] <- 1
sub <- function(g) {
  f <- glm(adopt ~ visits + perf_gap + duration, family = binomial, data = d[d$large == g, ],
           control = ctl)
  unname(coef(f)["visits"])
}
out <- list(terms = colnames(X), coef = unname(coef(fit)),
            vcov_raw = unname(V), vcov = unname(Vc), negative_eigenvalues = e$values[e$values < 0],
            difference = sum(a * coef(fit)),
            difference_se_raw = sqrt(drop(t(a) %*% V %*% a)),
            difference_se = sqrt(drop(t(a) %*% Vc %*% a)),
            visits_small = sub(0), visits_large = sub(1),
            n = nrow(d), r_version = R.version.string)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA), "pooled_dyadic.json")
