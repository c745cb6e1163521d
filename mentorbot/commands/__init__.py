"""Sub-commands of the ``mentorbot`` CLI; one module each, picked up automatically."""
