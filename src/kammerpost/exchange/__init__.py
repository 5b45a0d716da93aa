"""The cloud area (HWK-Cloud): exchanges for large and confidential documents.

An adapter on the intake, inspection and vault like the other channels.
``tus.py`` serves resumable uploads (tus 1.0) for any ``TusTarget``; the
exchange itself (arrangements, invitations, access) implements the target.
"""
