# Golden values for tests/interpret/test_margins_r.py: average marginal effects, effects
# across a moderator and average predicted hazards, with delta-method standard errors from
# R glm + sandwich::vcovCL (the cluster-robust variance the package calls "cluster").
# The gradients are written out analytically here (probit: phi'(e) = -e phi(e)), so the
# Python side (numeric differences through the formula) is checked against an independent
# computation. Run from this folder:  Rscript margins_golden.R  (writes margins_golden.json)
suppressPackageStartupMessages({library(sandwich); library(jsonlite)})

d <- na.omit(read.csv("../../estimate/golden/glm_panel.csv", stringsAsFactors = FALSE))
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
fit <- glm(adopt ~ x1 * x3 + d + region, data = d, family = binomial("probit"), control = ctl)
V <- vcovCL(fit, cluster = ~state, type = "HC0", cadjust = TRUE)
b <- coef(fit)
mm <- function(data) model.matrix(~ x1 * x3 + d + region, data = data)
X <- mm(d)

delta <- function(est, g) list(estimate = est, std_error = sqrt(drop(t(g) %*% V %*% g)))

# AME of x1 on the hazard: mean phi(e) (b_x1 + b_x1:x3 x3)
ame_x1 <- function(data) {
  Xd <- mm(data); e <- drop(Xd %*% b)
  dX <- matrix(0, nrow(Xd), ncol(Xd), dimnames = dimnames(Xd))
  dX[, "x1"] <- 1; dX[, "x1:x3"] <- data$x3
  de <- drop(dX %*% b)
  g <- colMeans(-e * dnorm(e) * de * Xd + dnorm(e) * dX)
  delta(mean(dnorm(e) * de), g)
}
# AME of the 0/1 variable d: mean Phi(e1) - Phi(e0)
ame_d <- function(data) {
  X1 <- mm(transform(data, d = 1)); X0 <- mm(transform(data, d = 0))
  e1 <- drop(X1 %*% b); e0 <- drop(X0 %*% b)
  delta(mean(pnorm(e1) - pnorm(e0)), colMeans(dnorm(e1) * X1 - dnorm(e0) * X0))
}
values <- c(-1, 0, 1.5)
link <- lapply(values, function(m) {
  g <- setNames(rep(0, length(b)), names(b)); g["x1"] <- 1; g["x1:x3"] <- m
  delta(unname(b["x1"] + b["x1:x3"] * m), g)
})
response <- lapply(values, function(m) ame_x1(transform(d, x3 = m)))
predicted <- lapply(c(0, 1), function(v) {
  Xv <- mm(transform(d, d = v)); e <- drop(Xv %*% b)
  delta(mean(pnorm(e)), colMeans(dnorm(e) * Xv))
})
out <- list(nobs = nobs(fit), ame = list(x1 = ame_x1(d), d = ame_d(d)), values = values,
            across_link = link, across_response = response, predicted_d = predicted,
            r_version = R.version.string, sandwich = as.character(packageVersion("sandwich")))
write_json(out, "margins_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
