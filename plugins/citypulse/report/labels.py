"""Chinese labels the report's sections share: platforms, composites, dimensions."""

from __future__ import annotations

from citypulse.platforms import PLATFORM_ZH

__all__ = ["COMPOSITE_ZH", "DIMENSION_ZH", "PLATFORM_ZH"]

COMPOSITE_ZH = {"overall": "综合传播力指数", "domestic": "国内传播力指数", "overseas": "海外传播力指数"}
DIMENSION_ZH = {
    "activity": "活跃度",
    "reach": "传播范围",
    "influence": "影响力",
    "engagement": "用户参与度",
}
