# Golden values for policydiffusion.reinvention._drift.spearman: R's exact Spearman test
# (cor.test(method = "spearman"), no ties: exact for n <= 9). Run from this folder:
#   Rscript spearman_exact.R   (writes spearman_exact.csv)
set.seed(20261206)
rows <- list()
for (n in 3:9) {
  for (k in 1:3) {
    x <- sort(sample(1:100, n))            # adoption times, distinct
    y <- if (k == 1) sort(runif(n)) else if (k == 2) rev(sort(runif(n))) else runif(n)
    ct <- suppressWarnings(cor.test(x, y, method = "spearman", exact = TRUE))
    rows[[length(rows) + 1]] <- data.frame(
      n = n, x = paste(x, collapse = ";"), y = paste(sprintf("%.17g", y), collapse = ";"),
      rho = unname(ct$estimate), p_value = ct$p.value)
  }
}
out <- do.call(rbind, rows)
write.csv(out, "spearman_exact.csv", row.names = FALSE)
cat(R.version.string, "\n")
