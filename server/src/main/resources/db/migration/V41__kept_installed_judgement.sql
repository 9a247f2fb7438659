-- Each instance's installed packages judged without its updates, with the SHA-256 of what that judgement is made
-- from (KeptJudgement): a changed scan report whose key matches judges only its update list instead of unpacking
-- and judging ~1,500 installed packages. Small (counts, and the rare pending-reboot, rejected or failed verdicts).
-- With it, the inventory lines its update list named (installed_lines, canonical text) and those names
-- (installed_names): a later such report whose updates name no other package reads no inventory at all.
ALTER TABLE instance_patch_states
    ADD COLUMN installed_key       text,
    ADD COLUMN installed_judgement text,
    ADD COLUMN installed_names     text[],
    ADD COLUMN installed_lines     text;
