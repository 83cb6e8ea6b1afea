"""Roles in a community. Kept free of pydantic so command modules can import it at start-up."""

from enum import Enum


class Role(str, Enum):
    member = "member"
    animator = "animator"
    moderator = "moderator"
    owner = "owner"  # created the community: highest power, cannot be demoted
