"""Content diagnostics: 同质化 homogeneity, 定期更新 regular updating, 矩阵协同 matrix
coordination, 借势 hot-topic leverage and 爆款 viral alerts, computed with every evaluation run and
shown beside the index with weight 0 (measures ``diag_*`` in ``eval_supplementary``)."""
