# Times survey::rake on the benchmark data written by `cargo bench -p exports --bench raking`.
# Usage: Rscript bench_rake.R respondents.csv margins_1.csv [margins_2.csv ...]
# Prints one line `ms=<milliseconds>` per margins file (one timed run each: survey::rake takes
# seconds at n = 1,000,000). Stopping rule: epsilon = 1e-10 of the total weight, maxit = 1000.

suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1], colClasses = "character")
design <- suppressWarnings(svydesign(ids = ~1, data = df))

for (file in args[-1]) {
  margins <- read.csv(file, colClasses = c("character", "character", "numeric"))
  strata <- list()
  population <- list()
  for (variable in unique(margins$variable)) {
    rows <- margins[margins$variable == variable, ]
    variables <- strsplit(variable, ":", fixed = TRUE)[[1]]
    parts <- do.call(rbind, strsplit(rows$category, ":", fixed = TRUE))
    table <- as.data.frame(parts, stringsAsFactors = FALSE)
    names(table) <- variables
    table$Freq <- rows$target_total
    strata[[length(strata) + 1]] <- as.formula(paste("~", paste(variables, collapse = "+")))
    population[[length(population) + 1]] <- table
  }
  elapsed <- system.time(
    raked <- rake(design, strata, population, control = list(maxit = 1000, epsilon = 1e-10))
  )[["elapsed"]]
  cat(sprintf("ms=%.0f\n", elapsed * 1000))
}
