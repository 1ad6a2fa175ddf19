"""`journey demo`: synthetic applicants driven through the whole journey on a fast clock."""
