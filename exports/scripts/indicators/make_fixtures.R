# Reference fixtures for the `exports::indicators` tests (weighted proportions, linearised SEs).
#
# Builds a small deterministic synthetic survey (600 respondents, 5 communes, sex, age band,
# household-size base weights, two 0/1 indicators with missing values), calibrates it with
# survey::calibrate(calfun = "raking") to synthetic margins, and writes:
#   data.csv       one row per respondent, with base weight w0 and calibrated weight w;
#   estimates.csv  svymean (overall) and svyby(~y, ~commune, svymean) estimates, SEs and
#                  design effects (deff = "replace"), plus svyciprop(method = "xlogit",
#                  df = Inf) intervals, for the plain-weights design (weights treated as fixed)
#                  for the calibrated design, and for the same margins raked by rake();
#   table_calibrated.csv  the per-commune indicator table (calibrated design, Wald 95 %
#                  interval clipped to [0, 1], 6 decimals), as `indicator_table` must write it.
# The margins and the data are synthetic: they describe no real population.
#
# Usage (from the repository root):
#   Rscript exports/scripts/indicators/make_fixtures.R exports/tests/fixtures/indicators
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "exports/tests/fixtures/indicators"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261123)
n <- 600
communes <- c("A", "B", "C", "D", "E")
ages <- c("18-29", "30-44", "45-59", "60-74", "75+")
commune <- sample(communes, n, replace = TRUE, prob = c(0.40, 0.25, 0.20, 0.12, 0.03))
sexe <- sample(c("F", "H"), n, replace = TRUE, prob = c(0.6, 0.4))
age <- sample(ages, n, replace = TRUE, prob = c(0.10, 0.20, 0.25, 0.25, 0.20))
menage <- sample(1:4, n, replace = TRUE)
w0 <- 150 * menage
age_index <- match(age, ages)
# No device at all: strongly related to age (a calibration variable).
p1 <- c(0.02, 0.03, 0.06, 0.15, 0.40)[age_index]
y1 <- as.integer(runif(n) < p1)
y1[runif(n) < 0.05] <- NA
# Difficulty with online procedures: weakly related to sex, related to commune.
p2 <- 0.30 + 0.05 * (sexe == "F") + c(0, 0.05, 0.10, -0.05, 0.15)[match(commune, communes)]
y2 <- as.integer(runif(n) < p2)
y2[runif(n) < 0.08] <- NA

data <- data.frame(id = seq_len(n), commune = commune, sexe = sexe, age = age, w0 = w0,
                   y1 = y1, y2 = y2, stringsAsFactors = FALSE)
data$commune <- factor(data$commune, levels = communes)
data$sexe <- factor(data$sexe, levels = c("F", "H"))
data$age <- factor(data$age, levels = ages)

# Synthetic population margins (total 300,000).
pop_commune <- c(A = 100000, B = 80000, C = 60000, D = 45000, E = 15000)
pop_sexe <- c(F = 156000, H = 144000)
pop_age <- c(`18-29` = 60000, `30-44` = 75000, `45-59` = 72000, `60-74` = 57000, `75+` = 36000)
population <- c(`(Intercept)` = sum(pop_commune),
                setNames(pop_commune[-1], paste0("commune", names(pop_commune)[-1])),
                setNames(pop_sexe[-1], paste0("sexe", names(pop_sexe)[-1])),
                setNames(pop_age[-1], paste0("age", names(pop_age)[-1])))

base <- svydesign(ids = ~1, weights = ~w0, data = data)
cal <- calibrate(base, ~commune + sexe + age, population = population, calfun = "raking",
                 epsilon = 1e-12, maxit = 100)
data$w <- weights(cal)
plain <- svydesign(ids = ~1, weights = ~w, data = data)
# The same margins by rake() (IPF). Its weights equal calibrate()'s, but its variance
# projects the influence values on the margins without the base weights (unit-weight
# backfitting): exports::indicators reproduces it with base weights of 1.
raked <- rake(base, list(~commune, ~sexe, ~age),
              list(data.frame(commune = names(pop_commune), Freq = unname(pop_commune)),
                   data.frame(sexe = names(pop_sexe), Freq = unname(pop_sexe)),
                   data.frame(age = names(pop_age), Freq = unname(pop_age))),
              control = list(maxit = 1000, epsilon = 1e-13))
stopifnot(max(abs(weights(raked) / data$w - 1)) < 1e-9)

fmt <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
csv_data <- data.frame(id = data$id, commune = as.character(data$commune),
                       sexe = as.character(data$sexe), age = as.character(data$age),
                       w0 = fmt(data$w0), w = fmt(data$w),
                       y1 = ifelse(is.na(data$y1), "", data$y1),
                       y2 = ifelse(is.na(data$y2), "", data$y2))
write.csv(csv_data, file.path(out, "data.csv"), row.names = FALSE, quote = FALSE)

row <- function(design_name, indicator, domain, est, ci) {
  data.frame(design = design_name, indicator = indicator, domain = domain,
             mean = fmt(coef(est)[1]), se = fmt(SE(est)[1]),
             deff = fmt(deff(est)[1]),
             logit_low = fmt(ci[1]), logit_high = fmt(ci[2]),
             stringsAsFactors = FALSE)
}

rows <- list()
designs <- list(plain = plain, calibrated = cal, raked = raked)
for (design_name in names(designs)) {
  design <- designs[[design_name]]
  for (indicator in c("y1", "y2")) {
    f <- as.formula(paste0("~", indicator))
    est <- svymean(f, design, na.rm = TRUE, deff = "replace")
    ci <- suppressWarnings(svyciprop(f, design, method = "xlogit", df = Inf, na.rm = TRUE))
    rows[[length(rows) + 1]] <- row(design_name, indicator, "", est, attr(ci, "ci"))
    for (code in communes) {
      sub <- design[!is.na(data$commune) & data$commune == code, ]
      est <- svymean(f, sub, na.rm = TRUE, deff = "replace")
      ci <- suppressWarnings(svyciprop(f, sub, method = "xlogit", df = Inf, na.rm = TRUE))
      rows[[length(rows) + 1]] <- row(design_name, indicator, code, est, attr(ci, "ci"))
    }
    # Cross-check: the per-domain loop above must agree with svyby.
    by <- svyby(f, ~commune, design, svymean, na.rm = TRUE)
    mine <- do.call(rbind, rows[(length(rows) - 4):length(rows)])
    stopifnot(max(abs(as.numeric(mine$se) - by$se)) < 1e-15)
  }
}
estimates <- do.call(rbind, rows)

# The analysts' table: overall row then communes in code order, CRLF line ends, UTF-8.
labels <- c(y1 = "Aucun équipement numérique",
            y2 = "Difficultés avec les démarches en ligne, même accompagné")
quote_field <- function(x) ifelse(grepl("[,\"\r\n]", x), paste0('"', gsub('"', '""', x), '"'), x)
six <- function(x) sprintf("%.6f", x)
lines <- "indicateur,libelle,domaine,code_domaine,n,proportion,ic_bas,ic_haut,erreur_type"
for (indicator in c("y1", "y2")) {
  f <- as.formula(paste0("~", indicator))
  for (code in c("", communes)) {
    design <- if (code == "") cal else cal[!is.na(data$commune) & data$commune == code, ]
    est <- svymean(f, design, na.rm = TRUE)
    p <- coef(est)[1]
    se <- SE(est)[1]
    ci <- confint(est)[1, ]
    n_obs <- sum(!is.na(data[[indicator]]) & (code == "" | data$commune == code))
    lines <- c(lines, paste(indicator, quote_field(labels[[indicator]]),
                            if (code == "") "Ensemble" else paste("Commune", code),
                            if (code == "") "ensemble" else code, n_obs, six(p),
                            six(max(0, ci[1])), six(min(1, ci[2])), six(se), sep = ","))
  }
}
con <- file(file.path(out, "table_calibrated.csv"), open = "wb")
writeBin(charToRaw(enc2utf8(paste0(paste(lines, collapse = "\r\n"), "\r\n"))), con)
close(con)
write.csv(estimates, file.path(out, "estimates.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version$major, ".", R.version$minor, ", survey ", as.character(packageVersion("survey")),
    "\n", sep = "")
print(estimates)
