# Golden values for the "fitted probabilities numerically 0 or 1" notice (issue 10, item 10).
# Run from this folder: Rscript fitted_extreme.R   (writes fitted_extreme.csv and .json)
# Two fits: one with two high-leverage rows whose fitted hazards are 1 to machine
# precision (R's glm.fit warns), and the same data without them (no warning).
x <- c(seq(-3, 3, length.out = 48), 60, 80)
y <- c(rep(c(0, 0, 1, 0, 1, 1), 8), 1, 1)
y[x > 1.5 & x < 3] <- 1
y[x < -1.5] <- 0
d <- data.frame(x = x, y = y)
write.csv(d, "fitted_extreme.csv", row.names = FALSE)
fit_notice <- function(data) {
  msgs <- character(0)
  f <- withCallingHandlers(
    glm(y ~ x, binomial, data = data, control = glm.control(epsilon = 1e-12, maxit = 100)),
    warning = function(w) { msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
  eps <- 10 * .Machine$double.eps
  list(coef = unname(coef(f)), warnings = msgs,
       n_boundary = sum(f$fitted.values < eps | f$fitted.values > 1 - eps))
}
out <- list(all = fit_notice(d), without_outliers = fit_notice(d[d$x < 10, ]),
            r_version = R.version.string)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA), "fitted_extreme.json")
