-- Each instance's installed packages judged without its updates, with the SHA-256 of what that judgement is made
-- from (KeptJudgement): a changed scan report whose key matches judges only its update list instead of unpacking
-- and judging ~1,500 installed packages. Small (counts, and the rare pending-reboot, rejected or failed verdicts).
ALTER TABLE instance_patch_states
    ADD COLUMN installed_key       text,
    ADD COLUMN installed_judgement text;
